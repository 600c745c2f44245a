package io.cddpm.cli;

import io.cddpm.config.TrackingConfig;
import io.cddpm.config.TrackingUris;
import io.cddpm.core.InvalidInputException;
import io.cddpm.state.StateDatabase;
import io.cddpm.tracking.OutboxAdmin;
import io.cddpm.tracking.TrackingEndpoint;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code cddpm outbox list|send|drop}: the tracking records waiting in the state database, by MLflow server. */
@Command(name = "outbox", mixinStandardHelpOptions = true,
        description = "List, send or drop the tracking records waiting in the outbox, by the MLflow server they belong to.",
        footer = {"The tracking records waiting in the state database's outbox, by the MLflow server they belong to.",
            "A run sends only its own server's records; records of another server wait until a run tracks to it again,",
            "or until they are sent or dropped here. A local server started by `cddpm run` is named local:<its data folder>."},
        subcommands = {OutboxCommand.ListOutbox.class, OutboxCommand.SendOutbox.class, OutboxCommand.DropOutbox.class})
public final class OutboxCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: list, send or drop (see `cddpm outbox --help`)");
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Pending and failed records per server.")
    static final class ListOutbox implements Callable<Integer> {
        @Override
        public Integer call() {
            try (StateDatabase state = StateDatabase.open()) {
                List<OutboxAdmin.Waiting> all = new OutboxAdmin(state.dataSource()).list();
                if (all.isEmpty()) {
                    System.out.println("the tracking outbox is empty (nothing pending or failed)");
                    return ExitCodes.OK;
                }
                System.out.printf("%8s %8s  %s%n", "pending", "failed", "server");
                for (OutboxAdmin.Waiting w : all) {
                    System.out.printf("%8d %8d  %s%n", w.pending(), w.failed(), w.label());
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "send", mixinStandardHelpOptions = true,
            description = {"Deliver the pending records of one server now (a local:<folder> server is started for it)."})
    static final class SendOutbox implements Callable<Integer> {
        @Option(names = "--uri", required = true, description = "The server, as `cddpm outbox list` names it.")
        String uri;

        @Option(names = "--adopt-unknown", description = "First give the records of (unknown server) to this server.")
        boolean adoptUnknown;

        @Option(names = "--timeout", defaultValue = "60", description = "Seconds to keep retrying (default ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Override
        public Integer call() throws Exception {
            TrackingUris.refuseCredentials(uri, "--uri");
            if (timeoutSeconds <= 0) {
                throw new InvalidInputException("--timeout " + timeoutSeconds + ": must be a positive number of seconds");
            }
            try (StateDatabase state = StateDatabase.open()) {
                OutboxAdmin admin = new OutboxAdmin(state.dataSource());
                server(admin, uri);
                if (adoptUnknown) {
                    int records = admin.pending(null);
                    int runs = admin.adoptUnknown(uri);
                    System.out.println("gave " + runs + " run(s) of " + OutboxAdmin.UNKNOWN + " (" + records + " pending record(s)) to " + uri);
                }
                int pending = admin.pending(uri);
                if (pending == 0) {
                    System.out.println("no pending records for " + uri + known(admin));
                    return ExitCodes.OK;
                }
                System.out.println("sending " + pending + " record(s) to " + uri + " ...");
                OutboxAdmin.Sent sent = admin.send(uri, Duration.ofSeconds(timeoutSeconds));
                System.out.println("delivered " + sent.delivered() + ", still pending " + sent.left());
                return sent.left() == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
            }
        }
    }

    @Command(name = "drop", mixinStandardHelpOptions = true, description = "Delete the pending and failed records of one server.")
    static final class DropOutbox implements Callable<Integer> {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Which which;

        static final class Which {
            @Option(names = "--uri", description = "The server, as `cddpm outbox list` names it.")
            String uri;

            @Option(names = "--unknown", description = "The records of " + OutboxAdmin.UNKNOWN + ".")
            boolean unknown;
        }

        @Override
        public Integer call() {
            String server = which.unknown ? null : which.uri;
            TrackingUris.refuseCredentials(server, "--uri");
            String label = server == null ? OutboxAdmin.UNKNOWN : server;
            try (StateDatabase state = StateDatabase.open()) {
                OutboxAdmin admin = new OutboxAdmin(state.dataSource());
                if (server != null) {
                    server(admin, server);
                }
                int n = admin.waiting(server);
                if (n == 0) {
                    System.out.println("no pending or failed records for " + label + known(admin));
                    return ExitCodes.OK;
                }
                System.out.println("dropping " + n + " pending or failed record(s) of " + label);
                System.out.println("dropped " + admin.drop(server));
            }
            return ExitCodes.OK;
        }
    }

    /**
     * Refuses a --uri that names no server: neither an http(s) URL, nor local:<data folder>, nor one
     * that `cddpm outbox list` shows. Such a typo used to be answered "no pending records" (exit 0).
     */
    private static void server(OutboxAdmin admin, String uri) {
        if (TrackingConfig.isServerUri(uri) || uri.startsWith(TrackingEndpoint.LOCAL_PREFIX)
                || admin.list().stream().anyMatch(w -> w.label().equals(uri))) {
            return;
        }
        throw new InvalidInputException("--uri " + uri + ": not an MLflow server (http://HOST:PORT, https://HOST or "
                + TrackingEndpoint.LOCAL_PREFIX + "<data folder>, as `cddpm outbox list` names them)" + known(admin));
    }

    private static String known(OutboxAdmin admin) {
        List<String> servers = admin.list().stream().map(OutboxAdmin.Waiting::label).toList();
        return servers.isEmpty() ? "" : " (waiting: " + String.join(", ", servers) + ")";
    }
}
