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
 * can take the {@link IscsiTarget}, a {@link BlockDevice} of LUN 0 (closed after the test) and the
 * {@link IscsiUrl} of LUN 0 as parameters; a failing test's report gets the target's last events.
 *
 * <pre>{@code
 * @RegisterExtension
 * static IscsiTargetExtension target = IscsiTargetExtension.withLun("ram:64M");
 *
 * @Test
 * void readsWhatItWrote(BlockDevice disk) { ... }
 * }</pre>
 */
public final class IscsiTargetExtension
        implements BeforeAllCallback,
                AfterAllCallback,
                BeforeEachCallback,
                AfterEachCallback,
                ParameterResolver {
    /** Events attached to a failing test's report. */
    static final int EVENTS_REPORTED = 50;

    private final IscsiTarget.Builder builder = IscsiTarget.builder();
    private final List<BlockDevice> disks = new ArrayList<>();
    private IscsiTarget target;
    private boolean perClass;
    private boolean resetBetweenTests;

    private IscsiTargetExtension() {}

    /**
     * An extension whose target has this LUN (more with {@link #lun}).
     *
     * @param spec LUN 0's store, capacity and options, e.g. "ram:64M" or "ram:16M,block=4096,thin"
     * @return the extension, to register in a field annotated {@code @RegisterExtension}
     */
    public static IscsiTargetExtension withLun(String spec) {
        return new IscsiTargetExtension().lun(spec);
    }

    /**
     * Adds a LUN to the target, numbered after those given before.
     *
     * @param spec the LUN's store, capacity and options, as {@link IscsiTarget.Builder#lun} takes
     *     them
     * @return this extension
     */
    public IscsiTargetExtension lun(String spec) {
        builder.lun(spec);
        return this;
    }

    /**
     * Names the target (default {@value org.iscsilab.server.config.TargetConfig#DEFAULT_IQN}).
     *
     * @param name the iSCSI qualified name initiators give as TargetName at login
     * @return this extension
     */
    public IscsiTargetExtension iqn(String name) {
        builder.iqn(name);
        return this;
    }

    /**
     * Requires CHAP at login; the {@link BlockDevice} parameters log in with it.
     *
     * @param user the CHAP name (CHAP_N) initiators must authenticate as
     * @param secret the secret their CHAP_R response must be computed with, at least 12 bytes
     * @return this extension
     */
    public IscsiTargetExtension chap(String user, String secret) {
        builder.chap(user, secret);
        return this;
    }

    /**
     * With one target for the class: every LUN back to its first content after each test.
     *
     * @return this extension; the LUNs it resets are those {@link IscsiTarget#resetAll()} can
     */
    public IscsiTargetExtension resetLunsBetweenTests() {
        this.resetBetweenTests = true;
        return this;
    }

    /**
     * The target, while a test runs.
     *
     * @return the running target, for fault rules, events and LUN changes in the test's body
     * @throws IllegalStateException if no test of the class is running
     */
    public IscsiTarget target() {
        if (target == null) {
            throw new IllegalStateException("the target runs only while a test of its class runs");
        }
        return target;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        perClass = true;
        target = builder.start();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (target == null) {
            target = builder.start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            reportEvents(context);
        }
        disks.forEach(BlockDevice::close);
        disks.clear();
        if (perClass) {
            target.faults().clear(); // the next test starts without the last one's faults
            if (resetBetweenTests) {
                target.resetAll();
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
        return type == IscsiTarget.class || type == BlockDevice.class || type == IscsiUrl.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == IscsiTarget.class) {
            return target();
        }
        if (type == IscsiUrl.class) {
            return IscsiUrl.parse(target().url(0));
        }
        if (type == BlockDevice.class) {
            BlockDevice disk = target().connect(0);
            disks.add(disk);
            return disk;
        }
        throw new ParameterResolutionException(
                "no " + type.getSimpleName() + " from an iSCSI target");
    }

    /** A failing test's report gets what reached the target last. */
    private void reportEvents(ExtensionContext context) {
        List<TargetEvent> events = target.events().list();
        StringBuilder sb = new StringBuilder();
        for (TargetEvent e :
                events.subList(Math.max(0, events.size() - EVENTS_REPORTED), events.size())) {
            sb.append('\n').append(e);
        }
        context.publishReportEntry("iscsilab events", sb.toString());
    }
}
