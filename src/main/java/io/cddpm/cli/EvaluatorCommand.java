package io.cddpm.cli;

import picocli.CommandLine.Command;

/** {@code cddpm evaluator}: the classifier that scores generated images. */
@Command(name = "evaluator", mixinStandardHelpOptions = true,
        description = "Train the ResNet18 multi-label evaluator on a (rendered or real) dataset.",
        subcommands = {EvaluatorTrainCommand.class})
public final class EvaluatorCommand {}
