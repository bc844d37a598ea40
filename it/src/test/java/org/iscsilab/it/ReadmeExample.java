package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;
import org.iscsilab.testcontainers.IscsiTargetContainer;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

// The IscsiTargetContainer example of docs/containers.md, word for word, so the build keeps it
// compiling.
// TargetContainerIT runs the same steps against the image this build makes.
@Testcontainers
class ReadmeExample {
    @Container
    static IscsiTargetContainer target =
            new IscsiTargetContainer("iscsilab/target:latest")
                    .withLun("ram:64M")
                    .withFault("medium-error,lun=0,lba=2048-2055,op=read");

    @Test
    void qemuSeesTheMediumErrorThatTheTargetInjects() throws Exception {
        String url = target.iscsiUrl(0); // iscsi://HOST:PORT/IQN/0 for libiscsi and QEMU
        Process read =
                new ProcessBuilder("qemu-io", "-f", "raw", "-c", "read 1M 4k", url)
                        .inheritIO()
                        .start();
        read.waitFor();
        assertFalse(target.events(Map.of("type", "FAULT")).isEmpty(), "the rule fired");
    }
}
