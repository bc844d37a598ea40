package org.iscsilab.testkit;

import java.util.ArrayList;
import java.util.List;
import org.iscsilab.iscsi.initiator.IscsiUrl;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives a test class an iSCSI target: in a static field it lives for the
 * class, in an instance field for each test. Between tests fault rules are removed; test methods
 * can take the target's {@link TargetControl}, a {@link BlockDevice} of LUN 0 (closed after the
 * test), the {@link IscsiUrl} of LUN 0, the {@link TestTarget} and, for a target in the JVM, the
 * {@link IscsiTarget} as parameters. A failing test's report gets the target's last events and what
 * the target logged while the test ran.
 *
 * <pre>{@code
 * @RegisterExtension
 * static IscsiTargetExtension target = IscsiTargetExtension.withLun("ram:64M");
 *
 * @Test
 * void readsWhatItWrote(TargetControl control, BlockDevice disk) { ... }
 * }</pre>
 *
 * The same test runs against a container by changing the one line that makes the target, e.g. to
 * {@code IscsiTargetContainer.extension(image, "ram:64M")} from iscsilab-testcontainers.
 */
public final class IscsiTargetExtension
        implements BeforeAllCallback,
                AfterAllCallback,
                BeforeEachCallback,
                AfterEachCallback,
                ParameterResolver {
    /** Events attached to a failing test's report. */
    static final int EVENTS_REPORTED = 50;

    /** Starts a target for the extension: one per class or one per test. */
    @FunctionalInterface
    public interface Launcher {
        /**
         * Starts a target.
         *
         * @return the running target; the extension closes it
         * @throws Exception if it cannot start
         */
        TestTarget start() throws Exception;
    }

    private final IscsiTarget.Builder builder;
    private final Launcher launcher;
    private final List<BlockDevice> disks = new ArrayList<>();
    private TestTarget target;
    private boolean perClass;
    private boolean resetBetweenTests;
    private long logMark;

    private IscsiTargetExtension(IscsiTarget.Builder builder, Launcher launcher) {
        this.builder = builder;
        this.launcher = launcher;
    }

    /**
     * An extension whose target, in the test's JVM, has this LUN (more with {@link #lun}).
     *
     * @param spec LUN 0's store, capacity and options, e.g. "ram:64M" or "ram:16M,block=4096,thin"
     * @return the extension, to register in a field annotated {@code @RegisterExtension}
     */
    public static IscsiTargetExtension withLun(String spec) {
        IscsiTarget.Builder b = IscsiTarget.builder();
        return new IscsiTargetExtension(b, b::start).lun(spec);
    }

    /**
     * An extension that runs the targets a launcher starts, e.g. a container's.
     *
     * @param launcher starts a target, configured as the test needs it
     * @return the extension, to register in a field annotated {@code @RegisterExtension}
     */
    public static IscsiTargetExtension of(Launcher launcher) {
        return new IscsiTargetExtension(null, launcher);
    }

    private IscsiTarget.Builder builder(String what) {
        if (builder == null) {
            throw new IllegalStateException(
                    what
                            + " describes a target in the JVM; configure the launcher's target instead");
        }
        return builder;
    }

    /**
     * Adds a LUN to the target, numbered after those given before.
     *
     * @param spec the LUN's store, capacity and options, as {@link IscsiTarget.Builder#lun} takes
     *     them
     * @return this extension
     * @throws IllegalStateException on an extension made {@link #of} a launcher
     */
    public IscsiTargetExtension lun(String spec) {
        builder("lun").lun(spec);
        return this;
    }

    /**
     * Names the target (default {@value org.iscsilab.server.config.TargetConfig#DEFAULT_IQN}).
     *
     * @param name the iSCSI qualified name initiators give as TargetName at login
     * @return this extension
     * @throws IllegalStateException on an extension made {@link #of} a launcher
     */
    public IscsiTargetExtension iqn(String name) {
        builder("iqn").iqn(name);
        return this;
    }

    /**
     * Requires CHAP at login; the {@link BlockDevice} parameters log in with it.
     *
     * @param user the CHAP name (CHAP_N) initiators must authenticate as
     * @param secret the secret their CHAP_R response must be computed with, at least 12 bytes
     * @return this extension
     * @throws IllegalStateException on an extension made {@link #of} a launcher
     */
    public IscsiTargetExtension chap(String user, String secret) {
        builder("chap").chap(user, secret);
        return this;
    }

    /**
     * With one target for the class: every LUN back to its first content after each test.
     *
     * @return this extension; the LUNs it resets are those {@link TargetControl#resetAll()} can
     */
    public IscsiTargetExtension resetLunsBetweenTests() {
        this.resetBetweenTests = true;
        return this;
    }

    /**
     * The target in the JVM, while a test runs.
     *
     * @return the running target, for fault rules, events and LUN changes in the test's body
     * @throws IllegalStateException if no test of the class is running, or the target is not in the
     *     JVM (take {@link #running()} or a {@link TargetControl} parameter then)
     */
    public IscsiTarget target() {
        if (!(running() instanceof IscsiTarget inJvm)) {
            throw new IllegalStateException(
                    "this extension's target does not run in the JVM; use running() or take a"
                            + " TargetControl parameter");
        }
        return inJvm;
    }

    /**
     * The target, wherever it runs, while a test runs.
     *
     * @return the running target
     * @throws IllegalStateException if no test of the class is running
     */
    public TestTarget running() {
        if (target == null) {
            throw new IllegalStateException("the target runs only while a test of its class runs");
        }
        return target;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        perClass = true;
        target = launcher.start();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (target == null) {
            target = launcher.start();
        }
        logMark = target.logMark();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            if (context.getExecutionException().isPresent()) {
                report(context);
            }
        } finally {
            endTest();
        }
    }

    private void endTest() {
        disks.forEach(BlockDevice::close);
        disks.clear();
        if (perClass) {
            target.control().clearFaults(); // the next test starts without the last one's faults
            if (resetBetweenTests) {
                target.control().resetAll();
            }
        } else {
            target.close();
            target = null;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (target != null) {
            target.close();
            target = null;
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == IscsiTarget.class
                || type == TargetControl.class
                || type == TestTarget.class
                || type == BlockDevice.class
                || type == IscsiUrl.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == IscsiTarget.class) {
            try {
                return target();
            } catch (IllegalStateException e) {
                throw new ParameterResolutionException(e.getMessage());
            }
        }
        if (type == TargetControl.class) {
            return running().control();
        }
        if (type == TestTarget.class) {
            return running();
        }
        if (type == IscsiUrl.class) {
            return IscsiUrl.parse(running().url(0));
        }
        if (type == BlockDevice.class) {
            BlockDevice disk = running().connect(0);
            disks.add(disk);
            return disk;
        }
        throw new ParameterResolutionException(
                "no " + type.getSimpleName() + " from an iSCSI target");
    }

    /** A failing test's report gets what reached the target last, and what it logged meanwhile. */
    private void report(ExtensionContext context) {
        List<TargetEvent> events = target.control().events().list();
        StringBuilder sb = new StringBuilder();
        for (TargetEvent e :
                events.subList(Math.max(0, events.size() - EVENTS_REPORTED), events.size())) {
            sb.append('\n').append(e);
        }
        // a report entry cannot be blank
        context.publishReportEntry("iscsilab events", sb.isEmpty() ? "(no events)" : sb.toString());
        StringBuilder log = new StringBuilder();
        target.logSince(logMark).forEach(line -> log.append('\n').append(line));
        context.publishReportEntry(
                "iscsilab log",
                log.isEmpty() ? "(the target logged nothing during the test)" : log.toString());
    }
}
