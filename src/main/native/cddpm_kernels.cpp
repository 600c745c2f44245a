// cddpm's native kernels: the few libtorch operators DJL 0.33 does not expose, called on DJL's own
// tensor handles (a handle is a heap-allocated at::Tensor*, freed by DJL's torchDeleteNDArray).
//
//   silu, group_norm            fused kernels with native backward (DJL would chain 3-5 ops)
//   scaled_dot_product_attention libtorch's flash attention (fp32 on the CPU, see below)
//   autocast                    bf16 mixed precision: libtorch's own CPU/CUDA autocast, per thread
//
// Built against the headers of the libtorch that DJL loads (see build.sh); linked by soname to
// the libtorch_cpu.so / libc10.so DJL has already loaded into the process.
#include <jni.h>

#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <c10/util/Exception.h>
#include <torch/version.h>

#include <stdexcept>
#include <string>

namespace {

jlong wrap(const at::Tensor& t) {
  return reinterpret_cast<jlong>(new at::Tensor(t));
}

// A handle is only borrowed for the duration of the call: nothing here keeps it (or a pointer into
// its tensor) past the return, and every result is a new at::Tensor the caller owns. Java keeps the
// arrays behind the handles reachable until the call returns (TorchKernels, reachabilityFence).
const at::Tensor& unwrap(jlong handle) {
  if (handle == 0) {
    throw std::invalid_argument("cddpm kernels: null tensor handle (a closed array?)");
  }
  const at::Tensor& t = *reinterpret_cast<at::Tensor*>(handle);
  if (!t.defined()) {
    throw std::invalid_argument("cddpm kernels: undefined tensor");
  }
  return t;
}

void rethrow(JNIEnv* env, const char* what) {
  jclass cls = env->FindClass("java/lang/IllegalStateException");
  if (cls != nullptr) {
    env->ThrowNew(cls, what);
  }
}

template <typename F>
jlong guarded(JNIEnv* env, F&& f) {
  try {
    return f();
  } catch (const c10::Error& e) {
    rethrow(env, e.what_without_backtrace());
  } catch (const std::exception& e) {
    rethrow(env, e.what());
  }
  return 0;
}

}  // namespace

extern "C" {

JNIEXPORT jstring JNICALL Java_io_cddpm_model_TorchKernels_nativeTorchVersion(JNIEnv* env, jclass) {
  return env->NewStringUTF(TORCH_VERSION);
}

JNIEXPORT jlong JNICALL Java_io_cddpm_model_TorchKernels_nativeSilu(JNIEnv* env, jclass, jlong x) {
  return guarded(env, [&] { return wrap(at::silu(unwrap(x))); });
}

JNIEXPORT jlong JNICALL Java_io_cddpm_model_TorchKernels_nativeGroupNorm(
    JNIEnv* env, jclass, jlong x, jlong groups, jlong weight, jlong bias, jdouble eps) {
  return guarded(env, [&] {
    return wrap(at::group_norm(unwrap(x), groups, unwrap(weight), unwrap(bias), eps, /*cudnn_enabled=*/true));
  });
}

JNIEXPORT jlong JNICALL Java_io_cddpm_model_TorchKernels_nativeAttention(
    JNIEnv* env, jclass, jlong q, jlong k, jlong v) {
  return guarded(env, [&] {
    const at::Tensor& tq = unwrap(q);
    if (!tq.device().is_cpu()) {
      return wrap(at::scaled_dot_product_attention(tq, unwrap(k), unwrap(v)));
    }
    // On the CPU, attention stays in fp32 even inside a bf16 autocast region: libtorch 2.5's bf16
    // flash-attention backward for CPU is ~7x slower than fp32 (measured: 60 vs 8.5 ms per call at
    // tiny32's deepest level), while its share of the FLOPs is small.
    c10::impl::ExcludeDispatchKeyGuard no_autocast(c10::autocast_dispatch_keyset);
    return wrap(at::scaled_dot_product_attention(tq.to(at::kFloat), unwrap(k).to(at::kFloat), unwrap(v).to(at::kFloat)));
  });
}

JNIEXPORT jlong JNICALL Java_io_cddpm_model_TorchKernels_nativeToFloat32(JNIEnv* env, jclass, jlong x) {
  return guarded(env, [&] { return wrap(unwrap(x).to(at::kFloat)); });
}

JNIEXPORT jint JNICALL Java_io_cddpm_model_TorchKernels_nativeIsBFloat16(JNIEnv* env, jclass, jlong x) {
  return static_cast<jint>(guarded(env, [&] { return static_cast<jlong>(unwrap(x).scalar_type() == at::kBFloat16); }));
}

JNIEXPORT void JNICALL Java_io_cddpm_model_TorchKernels_nativeSetAutocast(
    JNIEnv* env, jclass, jboolean enabled, jboolean cuda) {
  guarded(env, [&] {
    const auto device = cuda ? at::DeviceType::CUDA : at::DeviceType::CPU;
    at::autocast::set_autocast_dtype(device, at::kBFloat16);
    at::autocast::set_autocast_enabled(device, enabled == JNI_TRUE);
    if (enabled != JNI_TRUE) {
      at::autocast::clear_cache();
    }
    return jlong{0};
  });
}

JNIEXPORT jboolean JNICALL Java_io_cddpm_model_TorchKernels_nativeAutocastEnabled(JNIEnv* env, jclass, jboolean cuda) {
  return static_cast<jboolean>(guarded(env, [&] {
    return static_cast<jlong>(at::autocast::is_autocast_enabled(cuda ? at::DeviceType::CUDA : at::DeviceType::CPU));
  }));
}

}  // extern "C"
