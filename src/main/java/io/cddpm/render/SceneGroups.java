package io.cddpm.render;

import io.cddpm.data.LabeledImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Groups a specification's images into scenes: {@code NAME_0.png, NAME_1.png, NAME_2.png} are one
 * scene when each image's labels extend the previous image's (i-CLEVR adds objects one at a time);
 * any other image is a scene of its own.
 */
public final class SceneGroups {
    private static final Pattern STEP = Pattern.compile("(.*)_(\\d+)\\.png");

    private SceneGroups() {}

    /** One scene: its key (for seeding) and its images in the order objects are added. */
    public record Group(String key, List<LabeledImage> images) {}

    public static List<Group> of(List<LabeledImage> entries) {
        Map<String, List<LabeledImage>> byPrefix = new LinkedHashMap<>();
        for (LabeledImage e : entries) {
            Matcher m = STEP.matcher(e.fileName());
            String prefix = m.matches() ? m.group(1) : e.fileName();
            byPrefix.computeIfAbsent(prefix, k -> new ArrayList<>()).add(e);
        }
        List<Group> groups = new ArrayList<>();
        for (Map.Entry<String, List<LabeledImage>> e : byPrefix.entrySet()) {
            List<LabeledImage> images = new ArrayList<>(e.getValue());
            images.sort((a, b) -> Integer.compare(step(a), step(b)));
            if (nested(images)) {
                groups.add(new Group(e.getKey(), images));
            } else {
                for (LabeledImage image : images) {
                    groups.add(new Group(image.fileName(), List.of(image)));
                }
            }
        }
        return groups;
    }

    private static int step(LabeledImage image) {
        Matcher m = STEP.matcher(image.fileName());
        return m.matches() ? Integer.parseInt(m.group(2)) : 0;
    }

    /** Each image's labels start with all of the previous image's labels, plus at least one more. */
    private static boolean nested(List<LabeledImage> images) {
        for (int i = 1; i < images.size(); i++) {
            List<String> prev = images.get(i - 1).labels();
            List<String> cur = images.get(i).labels();
            if (cur.size() <= prev.size() || !cur.containsAll(prev)) {
                return false;
            }
        }
        return true;
    }
}
