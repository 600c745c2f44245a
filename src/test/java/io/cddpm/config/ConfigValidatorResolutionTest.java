package io.cddpm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.core.InvalidInputException;
import org.junit.jupiter.api.Test;

/**
 * Any resolution with model.patch_size and diffusion.snr_shift_resolution: what fits is accepted, and
 * what does not is refused at config time with a message naming the key and what does not fit; both
 * keys stay outside the config hash at their neutral values.
 */
class ConfigValidatorResolutionTest {

    private static ExperimentConfig load(String yaml) {
        return ConfigLoader.fromYaml(yaml, "r.yaml");
    }

    private static String error(String yaml) {
        return assertThrows(InvalidInputException.class, () -> load(yaml)).getMessage();
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "expected '" + part + "' in: " + message);
        }
    }

    @Test
    void resolutionsPatchSizesAndLevelsThatFitAreAccepted() {
        assertEquals(48, load("resolution: 48\n").resolution()); // tiny32: 3 levels, a multiple of 4
        assertEquals(2, load("resolution: 64\nmodel: {patch_size: 2}\n").model().patchSize());
        assertEquals(4, load("resolution: 128\nmodel: {patch_size: 4}\n").model().patchSize());
        assertEquals(48, load("resolution: 48\nmodel: {patch_size: 2}\n").resolution()); // 24x24 grid, halved twice
        assertEquals(512, load("resolution: 512\nmodel: {preset: lab64, patch_size: 2}\n").resolution());
        assertEquals(1, load("name: x\n").model().patchSize());
    }

    @Test
    void patchSizeMustBeAPowerOfTwoWithinTheImage() {
        assertContains(error("resolution: 48\nmodel:\n  patch_size: 3\n"), "r.yaml:3", "model.patch_size", "power of two", "got 3");
        assertContains(error("resolution: 48\nmodel:\n  patch_size: 0\n"), "r.yaml:3", "model.patch_size", "power of two");
        assertContains(error("resolution: 8\nmodel:\n  patch_size: 16\n"), "r.yaml:3", "model.patch_size", "larger than the image",
                "resolution 8");
    }

    @Test
    void resolutionMustBeAWholeNumberOfPatchesTheLevelsCanHalve() {
        // tiny32 (3 levels) on 2x2 patches: 36 / 2 = 18 cannot be halved twice
        assertContains(error("resolution: 36\nmodel:\n  patch_size: 2\n"), "r.yaml:1", "'resolution'",
                "patch_size x 2^(levels-1) = 2 x 4 = 8", "3-level model");
        // resolution left at its default (64): the message points at the patch size that made it wrong
        assertContains(error("model:\n  patch_size: 32\n"), "r.yaml:2", "model.patch_size", "= 32 x 4 = 128");
        // lab64 (6 levels) at 128 on 8x8 patches: a 16x16 grid cannot be halved 5 times
        assertContains(error("resolution: 128\nmodel: {preset: lab64, patch_size: 8}\n"), "'resolution'", "= 8 x 32 = 256", "6-level");
    }

    @Test
    void resolutionHasAnUpperBoundNamedInTheError() {
        assertContains(error("resolution: 1024\n"), "r.yaml:1", "'resolution'", "between 8 and 512");
    }

    @Test
    void snrShiftResolutionIsChecked() {
        assertContains(error("diffusion:\n  snr_shift_resolution: 0\n"), "r.yaml:2", "diffusion.snr_shift_resolution", "null for no shift");
        assertContains(error("diffusion:\n  snr_shift_resolution: 600\n"), "r.yaml:2", "diffusion.snr_shift_resolution", "512");
        // base 512 at 8x8: log-SNR + 2 log 64 = +8.3 takes the linear schedule's first alpha_bar to 1 in float32
        assertContains(error("resolution: 8\ndiffusion:\n  snr_shift_resolution: 512\n"), "r.yaml:3", "diffusion.snr_shift_resolution",
                "at resolution 8", "+8.318", "t = 0");
        assertEquals(32, load("resolution: 64\ndiffusion: {beta_schedule: squaredcos_cap_v2, snr_shift_resolution: 32}\n")
                .diffusion().snrShiftResolution());
    }

    /** patch_size 1 and no shift are what configs meant before the keys existed: same hash, not in the canonical JSON. */
    @Test
    void neutralValuesStayOutOfTheHash() {
        ExperimentConfig plain = load("name: h\n");
        ExperimentConfig stated = load("name: h\nmodel: {patch_size: 1}\ndiffusion: {snr_shift_resolution: null}\n");
        assertEquals(ConfigHash.of(plain), ConfigHash.of(stated));
        String json = ConfigHash.canonicalJson(plain);
        assertFalse(json.contains("patch_size") || json.contains("snr_shift_resolution"), json);
        ExperimentConfig patched = load("name: h\nmodel: {patch_size: 2}\ndiffusion: {snr_shift_resolution: 32}\n");
        assertContains(ConfigHash.canonicalJson(patched), "\"patch_size\":2", "\"snr_shift_resolution\":32");
        assertFalse(ConfigHash.of(plain).equals(ConfigHash.of(patched)));
    }
}
