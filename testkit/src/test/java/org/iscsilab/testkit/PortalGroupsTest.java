package org.iscsilab.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.util.List;
import org.iscsilab.scsi.SenseKey;
import org.junit.jupiter.api.Test;

/**
 * A target reached through two portal groups with ALUA, from the builder: each portal group is a
 * path with the access state of its target port group, changed from the test.
 */
class PortalGroupsTest {
    @Test
    void eachPortalGroupIsAPathWithItsGroupsAccessState() throws Exception {
        try (IscsiTarget target =
                IscsiTarget.builder()
                        .portalGroup(1, "127.0.0.1:0")
                        .portalGroup(2, "127.0.0.1:0")
                        .alua("both", 2)
                        .targetPortGroup(1, "active-optimized", true, 1)
                        .targetPortGroup(2, "standby", false, 2)
                        .start()) {
            List<InetSocketAddress> portals = target.portals();
            assertEquals(2, portals.size());
            byte[] block = new byte[512];
            block[0] = 42;
            try (BlockDevice optimized = target.connect(0, portals.get(0));
                    BlockDevice standby = target.connect(0, portals.get(1))) {
                optimized.write(7, block);
                ScsiCommandException refused =
                        assertThrows(ScsiCommandException.class, () -> standby.read(7, 1));
                assertEquals(SenseKey.NOT_READY, refused.senseKey());
                assertEquals(0x04, refused.asc());
                assertEquals(0x0B, refused.ascq(), "target port in standby state");

                target.setAccessState(2, "active-non-optimized");
                assertArrayEquals(block, standby.read(7, 1), "the same LUN through group 2");
            }
        }
    }

    @Test
    void aPortalThatIsNotTheTargetsIsRefusedByName() throws Exception {
        try (IscsiTarget target = IscsiTarget.builder().start()) {
            InetSocketAddress elsewhere = new InetSocketAddress("127.0.0.1", 1);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class, () -> target.connect(0, elsewhere));
            assertEquals(
                    "this target has no portal " + elsewhere + "; it has " + target.portals(),
                    e.getMessage());
        }
    }
}
