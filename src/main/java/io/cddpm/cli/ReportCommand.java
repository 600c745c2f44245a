package io.cddpm.cli;

import io.cddpm.runs.RunFolder;
import io.cddpm.viz.RunReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cddpm report --run DIR}: one self-contained HTML page for a trial's run directory. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write report.html for a run folder: figures, sample grids, progressive image, plots and config.",
        footer = {"Write DIR/report.html: figures, sample grids, progressive image, loss and accuracy plots, config. Parts the run does not have yet are listed as missing."})
public final class ReportCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, paramLabel = "DIR", description = "A trial's run directory (<output_dir>/<experiment>/<trial>).")
    Path run;

    @Override
    public Integer call() {
        RunReport.Result r = RunReport.build(RunFolder.of(run));
        System.out.println("report: " + r.html());
        if (!r.missing().isEmpty()) {
            System.out.println("missing from the run: " + String.join("; ", r.missing()));
        }
        return ExitCodes.OK;
    }
}
