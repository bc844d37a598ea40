package org.iscsilab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * A LUN's serial number and NAA designator (VPD 80h and 83h, what multipath matches paths by) tell
 * apart two targets of one name on one host, and stay the same across a restart.
 */
class LunIdentityTest {
    private static TargetRuntime start(String listen) throws Exception {
        return TargetRuntime.start(
                TestConfigs.onePortal(listen, null, "iqn.2026-01.org.example:same", "ram:1M"));
    }

    private static String serial(TargetRuntime t) {
        return t.devices().get(0).logicalUnit(0).identity().serial();
    }

    @Test
    void twoTargetsOfOneNameOnOneHostReportDifferentSerials() throws Exception {
        try (TargetRuntime a = start("127.0.0.1:0");
                TargetRuntime b = start("127.0.0.1:0")) {
            assertNotEquals(serial(a), serial(b));
            assertNotEquals(
                    a.devices().get(0).logicalUnit(0).identity(),
                    b.devices().get(0).logicalUnit(0).identity());
        }
    }

    @Test
    void aTargetRestartedOnItsAddressKeepsItsSerials() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        String first;
        try (TargetRuntime t = start("127.0.0.1:" + port)) {
            first = serial(t);
        }
        try (TargetRuntime t = start("127.0.0.1:" + port)) {
            assertEquals(first, serial(t));
        }
    }
}
