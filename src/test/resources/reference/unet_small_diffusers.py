# Generated src/test/resources/reference/unet_small_diffusers.safetensors (run once, output committed): a small UNet2DModel
# (diffusers 0.31.0, torch 2.5.1) + Linear(24, 4*C0) label embedding, random weights, and its outputs.
import torch, json
from diffusers import UNet2DModel
from safetensors.torch import save_file
torch.manual_seed(7)
m = UNet2DModel(sample_size=16, in_channels=3, out_channels=3, block_out_channels=(32, 64), layers_per_block=1,
                down_block_types=("DownBlock2D", "AttnDownBlock2D"), up_block_types=("AttnUpBlock2D", "UpBlock2D"),
                attention_head_dim=8, norm_num_groups=32, norm_eps=1e-5, class_embed_type="identity").eval()
lab = torch.nn.Linear(24, 128)
with torch.no_grad():  # non-trivial norms and biases
    for n, p in m.named_parameters():
        if "norm" in n: p.add_(0.1 * torch.randn_like(p))
        if n.endswith("bias"): p.normal_(0, 0.05)
x = torch.randn(2, 3, 16, 16)
t = torch.tensor([10., 900.])
y = torch.zeros(2, 24); y[0, 3] = 1; y[1, 5] = 1; y[1, 17] = 1
with torch.no_grad():
    out = m(x, t, class_labels=lab(y)).sample
sd = {k: v.contiguous() for k, v in m.state_dict().items()}
sd["class_embedding.weight"] = lab.weight.detach().contiguous(); sd["class_embedding.bias"] = lab.bias.detach().contiguous()
sd["input.sample"] = x; sd["input.timesteps"] = t; sd["input.labels"] = y; sd["output.sample"] = out
save_file(sd, "/work/main/src/test/resources/reference/unet_small_diffusers.safetensors",
          metadata={"generator": "diffusers 0.31.0 UNet2DModel, torch 2.5.1, seed 7",
                    "config": json.dumps({"block_out_channels": [32, 64], "layers_per_block": 1, "attention_levels": [False, True], "resolution": 16})})
print(out.abs().mean(), sum(p.numel() for p in m.parameters()) + 24*128+128)
