package io.cddpm;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.domain.properties.HasName;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.cddpm.core.Tensors;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package graph of the README's architecture section, enforced: each package may use only the
 * packages listed for it (so the graph is a DAG with the math at the bottom and the command line at
 * the top), and Camel, MLflow, H2, Quartz and picocli stay in the packages at the edges.
 */
class ArchitectureTest {
    /** Package -> the cddpm packages it may depend on (besides itself). */
    static final Map<String, Set<String>> ALLOWED = new LinkedHashMap<>();

    static {
        ALLOWED.put("core", Set.of());
        ALLOWED.put("diffusion", Set.of("core"));
        ALLOWED.put("config", Set.of("core", "diffusion"));
        ALLOWED.put("data", Set.of("core"));
        ALLOWED.put("render", Set.of("core", "config", "data"));
        ALLOWED.put("model", Set.of("core", "config", "diffusion"));
        ALLOWED.put("optim", Set.of("core", "config"));
        ALLOWED.put("runs", Set.of("core", "config", "diffusion", "model"));
        ALLOWED.put("sampling", Set.of("core", "config", "diffusion", "model", "runs"));
        ALLOWED.put("train", Set.of("core", "config", "diffusion", "data", "model", "optim", "runs", "sampling"));
        ALLOWED.put("eval", Set.of("core", "config", "data", "model", "optim", "runs", "sampling"));
        // pictures caption samples with their conditions (data) drawn in the renderer's colors (render), and read an
        // evaluator's held-out accuracy from its safetensors metadata (model)
        ALLOWED.put("viz", Set.of("core", "config", "diffusion", "data", "render", "model", "runs"));
        ALLOWED.put("state", Set.of("core"));
        // the tracking outbox lives in the state database (its tables are created like the state's own)
        ALLOWED.put("tracking", Set.of("core", "config", "state"));
        ALLOWED.put("pipeline", Set.of("core", "config", "diffusion", "data", "render", "model", "optim", "runs", "sampling", "train",
                "eval", "viz", "state", "tracking"));
        ALLOWED.put("schedule", Set.of("core", "config", "state"));
        ALLOWED.put("cli", ALLOWED.keySet());
    }

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.cddpm");
    }

    @Test
    void everyPackageIsInTheGraph() {
        Set<String> found = new TreeSet<>();
        classes.forEach(c -> found.add(c.getPackageName().replaceFirst("^io\\.cddpm\\.?", "").split("\\.")[0]));
        found.remove("");
        Set<String> unknown = new TreeSet<>(found);
        unknown.removeAll(ALLOWED.keySet());
        if (!unknown.isEmpty()) {
            throw new AssertionError("packages missing from ArchitectureTest.ALLOWED (and the README's picture): " + unknown);
        }
    }

    @Test
    void dependenciesRunOnlyDownTheGraph() {
        for (Map.Entry<String, Set<String>> e : ALLOWED.entrySet()) {
            List<String> forbidden = ALLOWED.keySet().stream()
                    .filter(p -> !p.equals(e.getKey()) && !e.getValue().contains(p))
                    .map(p -> "io.cddpm." + p + "..")
                    .toList();
            if (!forbidden.isEmpty()) {
                noClasses().that().resideInAPackage("io.cddpm." + e.getKey() + "..")
                        .should().dependOnClassesThat().resideInAnyPackage(forbidden.toArray(String[]::new))
                        .because(e.getKey() + " may use only " + new TreeSet<>(e.getValue()))
                        .check(classes);
            }
        }
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("io.cddpm.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void theDiffusionMathIsPure() {
        noClasses().that().resideInAPackage("io.cddpm.diffusion..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.camel..", "org.mlflow..", "org.h2..", "org.quartz..",
                        "java.sql..", "java.net..", "picocli..")
                .check(classes);
    }

    @Test
    void frameworksStayAtTheEdges() {
        edge("org.apache.camel..", "pipeline");
        edge("org.mlflow..", "tracking");
        edge("org.h2..", "state", "schedule");
        edge("org.postgresql..", "state");
        edge("picocli..", "cli");
        // Quartz runs the schedules; config only parses a cron expression with it when a YAML is validated
        noClasses().that().resideOutsideOfPackages("io.cddpm.schedule..", "io.cddpm.config..")
                .should().dependOnClassesThat().resideInAPackage("org.quartz..").check(classes);
        noClasses().that().resideInAPackage("io.cddpm.config..")
                .should().dependOnClassesThat(JavaClass.Predicates.resideInAPackage("org.quartz..")
                        .and(DescribedPredicate.not(HasName.Predicates.name("org.quartz.CronExpression"))))
                .check(classes);
    }

    /**
     * Java data reaches libtorch only through core.Tensors (see its javadoc): DJL's create wraps a Java buffer
     * that the GC frees under any tensor still sharing it, and NDArray.set(Buffer/array) swaps a tensor's storage
     * for one.
     */
    @Test
    void javaMemoryNeverBecomesTensorStorage() {
        DescribedPredicate<JavaMethodCall> wrapsJavaMemory = DescribedPredicate.describe(
                "NDManager.create(...), NDList/NDArray.decode(...) or NDArray.set(values)", call -> {
                    String name = call.getTarget().getName();
                    JavaClass owner = call.getTargetOwner();
                    if (name.equals("create") && owner.isAssignableTo(NDManager.class)) {
                        return true;
                    }
                    if (name.equals("decode") && (owner.isAssignableTo(NDList.class) || owner.isAssignableTo(NDArray.class))) {
                        return true;
                    }
                    return name.equals("set") && owner.isAssignableTo(NDArray.class)
                            && !call.getTarget().getRawParameterTypes().get(0).isAssignableTo(NDIndex.class);
                });
        noClasses().that().doNotHaveFullyQualifiedName(Tensors.class.getName())
                .should().callMethodWhere(wrapsJavaMemory)
                .because("a tensor must never point into memory the JVM frees: use io.cddpm.core.Tensors")
                .check(classes);
    }

    private static void edge(String library, String... owners) {
        String[] packages = Arrays.stream(owners).map(o -> "io.cddpm." + o + "..").toArray(String[]::new);
        noClasses().that().resideOutsideOfPackages(packages).and().resideInAPackage("io.cddpm..")
                .should().dependOnClassesThat().resideInAPackage(library)
                .because(library + " belongs to " + String.join(", ", owners))
                .check(classes);
    }
}
