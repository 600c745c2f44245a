package io.cddpm.cli;

import io.cddpm.core.AtomicFiles;
import io.cddpm.data.ConditionFile;
import io.cddpm.data.LabeledImage;
import io.cddpm.data.Labels;
import io.cddpm.data.NovelConditions;
import io.cddpm.data.TrainSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cddpm data conditions}: random label sets that no training or test file contains. */
@Command(name = "conditions", mixinStandardHelpOptions = true,
        description = "Write COUNT random label sets (1-3 objects) found in neither train.json nor test.json / new_test.json.")
public final class DataConditionsCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "The test.json-style file to write.")
    Path out;

    @Option(names = "--count", defaultValue = "48", description = "How many label sets (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default ${DEFAULT-VALUE}); same seed, same file.")
    long seed;

    @Option(names = "--spec", description = "train.json-style spec whose sets are excluded (default: the official train.json).")
    Path spec;

    @Option(names = "--exclude", split = ",", defaultValue = "test,new_test",
            description = "Condition files whose sets are excluded too, comma-separated (default ${DEFAULT-VALUE}).")
    List<String> exclude;

    @Override
    public Integer call() {
        OutputPaths.file(out, "--out");
        Labels labels = Labels.builtin();
        List<int[]> excluded = new ArrayList<>();
        TrainSpec train = spec == null ? TrainSpec.builtin() : TrainSpec.load(spec, labels);
        for (LabeledImage e : train.entries()) {
            excluded.add(e.indices());
        }
        for (String name : exclude) {
            excluded.addAll(ConditionFile.resolve(name, labels).indices());
        }
        List<List<String>> sets = NovelConditions.draw(labels, excluded, count, seed);
        AtomicFiles.writeString(out, Labels.toJson(sets));
        long[] byCount = new long[Labels.MAX_OBJECTS + 1];
        sets.forEach(s -> byCount[s.size()]++);
        System.out.printf("%d label sets in none of %s and %s -> %s (%d with 1 object, %d with 2, %d with 3)%n", sets.size(), train.source(),
                String.join(", ", exclude), out, byCount[1], byCount[2], byCount[3]);
        return ExitCodes.OK;
    }
}
