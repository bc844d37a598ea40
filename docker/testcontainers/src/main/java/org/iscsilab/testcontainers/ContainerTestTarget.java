package org.iscsilab.testcontainers;

import java.util.List;
import org.iscsilab.testkit.BlockDevice;
import org.iscsilab.testkit.TargetControl;
import org.iscsilab.testkit.TestTarget;

/**
 * A started {@link IscsiTargetContainer} as the test kit's {@link TestTarget}: control over the
 * admin API, disks over the mapped portal, and the container's output as the target's log.
 */
final class ContainerTestTarget implements TestTarget {
    private final IscsiTargetContainer container;
    private final TargetControl control;

    ContainerTestTarget(IscsiTargetContainer container) {
        this.container = container;
        this.control = container.control();
    }

    @Override
    public TargetControl control() {
        return control;
    }

    @Override
    public BlockDevice connect(int lun) {
        return container.connect(lun);
    }

    @Override
    public String url(int lun) {
        return container.iscsiUrl(lun);
    }

    /** The length of the container's output so far: its log is what it printed. */
    @Override
    public long logMark() {
        return container.getLogs().length();
    }

    @Override
    public List<String> logSince(long mark) {
        String all = container.getLogs();
        return all.length() <= mark ? List.of() : all.substring((int) mark).lines().toList();
    }

    @Override
    public void close() {
        container.stop();
    }
}
