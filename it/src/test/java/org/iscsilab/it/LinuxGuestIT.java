package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.core.lu.LogicalUnitIdentity;
import org.iscsilab.guest.GuestImage;
import org.iscsilab.guest.GuestMarker;
import org.iscsilab.guest.GuestRun;
import org.iscsilab.guest.LinuxGuest;
import org.iscsilab.iscsi.login.ChapCredentials;
import org.iscsilab.iscsi.node.TargetSettings;
import org.iscsilab.server.EmbeddedTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Linux kernel's own initiator (open-iscsi, Debian's 6.1 cloud kernel in a QEMU guest; 6.12
 * once) discovers, logs in and does O_DIRECT I/O that is read back in the guest and checked again
 * on the target through a second initiator.
 */
class LinuxGuestIT {
    private static GuestImage image;
    private EmbeddedTarget target;

    @BeforeAll
    static void image() throws Exception {
        image = GuestSupport.image("6.1");
    }

    @AfterEach
    void stop() {
        if (target != null) {
            target.close();
        }
    }

    private GuestRun run(LinuxGuest guest) throws Exception {
        GuestRun run = guest.timeout(Duration.ofMinutes(3)).run();
        System.out.println(GuestSupport.timeline(run));
        GuestSupport.assertSucceeded(run);
        return run;
    }

    private static GuestMarker disk(GuestRun run, int index) {
        List<GuestMarker> disks = run.markers("DISK");
        assertTrue(disks.size() > index, "the guest described " + disks.size() + " disks");
        return disks.get(index);
    }

    @Test
    void discoveryAtTheAdvertisedAddressThenTwoLunsOf512And4096ByteBlocksWithVerifiedIo()
            throws Exception {
        target =
                EmbeddedTarget.startAdvertising(
                        TargetSettings.defaults(),
                        LinuxGuest.HOST_FROM_GUEST,
                        "ram:64M",
                        "ram:32M,block=4096");
        GuestRun run =
                run(
                        LinuxGuest.of(image)
                                .target(target.address().getPort(), target.iqn())
                                .script(
                                        """
                discover_and_login
                a=$(disk_of_lun 0); b=$(disk_of_lun 1)
                describe_disk "$a"; describe_disk "$b"
                verify_region "$a" 1 4
                verify_region "$b" 2 4
                verify_region "$a" 60 4
                logout_all
                """));

        assertEquals(
                LinuxGuest.HOST_FROM_GUEST
                        + ":"
                        + target.address().getPort()
                        + ",1 "
                        + target.iqn(),
                String.join(" ", run.marker("DISCOVERED").orElseThrow().args()),
                "SendTargets gave the advertised address");
        assertEquals(
                LinuxGuest.HOST_FROM_GUEST + ":" + target.address().getPort(),
                run.marker("LOGGED_IN").orElseThrow().arg(0));
        for (int lun = 0; lun < 2; lun++) {
            GuestMarker d = disk(run, lun);
            LogicalUnitIdentity id = target.device().logicalUnit(lun).identity();
            assertEquals(id.vendor().trim(), d.value("vendor"));
            assertEquals(id.product().replace(" ", ""), d.value("model"));
            assertEquals(id.serial(), d.value("serial"), "VPD page 80h as the kernel shows it");
            assertEquals("running", d.value("state"));
        }
        assertEquals("67108864", disk(run, 0).value("bytes"));
        assertEquals("512", disk(run, 0).value("block"));
        assertEquals("33554432", disk(run, 1).value("bytes"));
        assertEquals("4096", disk(run, 1).value("block"));

        List<GuestMarker> verified = run.markers("VERIFIED");
        assertEquals(3, verified.size());
        assertEquals(
                verified.get(0).value("sha256"), GuestSupport.sha256OnTarget(target, 0, 512, 1, 4));
        assertEquals(
                verified.get(1).value("sha256"),
                GuestSupport.sha256OnTarget(target, 1, 4096, 2, 4));
        assertEquals(
                verified.get(2).value("sha256"),
                GuestSupport.sha256OnTarget(target, 0, 512, 60, 4));
        assertTrue(run.marker("LOGGED_OUT").isPresent());
    }

    @Test
    void theSixTwelveKernelDiscoversLogsInAndDoesVerifiedIoToo() throws Exception {
        target =
                EmbeddedTarget.startAdvertising(
                        TargetSettings.defaults(),
                        LinuxGuest.HOST_FROM_GUEST,
                        "ram:64M",
                        "ram:32M,block=4096");
        GuestRun run =
                run(
                        LinuxGuest.of(GuestSupport.image("6.12"))
                                .target(target.address().getPort(), target.iqn())
                                .script(
                                        """
                discover_and_login
                a=$(disk_of_lun 0); b=$(disk_of_lun 1)
                describe_disk "$a"; describe_disk "$b"
                verify_region "$a" 8 4
                verify_region "$b" 8 4
                logout_all
                """));
        assertTrue(
                run.marker("BOOTED").orElseThrow().arg(0).startsWith("6.12."),
                "booted " + run.marker("BOOTED"));
        assertEquals("4096", disk(run, 1).value("block"));
        List<GuestMarker> verified = run.markers("VERIFIED");
        assertEquals(
                verified.get(0).value("sha256"), GuestSupport.sha256OnTarget(target, 0, 512, 8, 4));
        assertEquals(
                verified.get(1).value("sha256"),
                GuestSupport.sha256OnTarget(target, 1, 4096, 8, 4));
    }

    @Test
    void headerAndDataDigestsNegotiatedAndCheckedOnEveryPdu() throws Exception {
        target =
                EmbeddedTarget.startAdvertising(
                        TargetSettings.defaults(),
                        LinuxGuest.HOST_FROM_GUEST,
                        "ram:64M,block=4096");
        GuestRun run =
                run(
                        LinuxGuest.of(image)
                                .target(target.address().getPort(), target.iqn())
                                .env("GUEST_HEADER_DIGEST", "CRC32C")
                                .env("GUEST_DATA_DIGEST", "CRC32C")
                                .script(
                                        """
                discover_and_login
                iscsiadm -m session -P 2 > /tmp/session
                mark DIGESTS "header=$(awk '/HeaderDigest:/ {print $2}' /tmp/session)" \
                    "data=$(awk '/DataDigest:/ {print $2}' /tmp/session)"
                d=$(disk_of_lun 0)
                verify_region "$d" 0 8
                verify_region "$d" 32 8
                logout_all
                """));
        GuestMarker digests = run.marker("DIGESTS").orElseThrow();
        assertEquals("CRC32C", digests.value("header"));
        assertEquals("CRC32C", digests.value("data"));
        List<GuestMarker> verified = run.markers("VERIFIED");
        assertEquals(
                verified.get(0).value("sha256"),
                GuestSupport.sha256OnTarget(target, 0, 4096, 0, 8));
        assertEquals(
                verified.get(1).value("sha256"),
                GuestSupport.sha256OnTarget(target, 0, 4096, 32, 8));
    }

    @Test
    void mutualChapLogsInAndAWrongSecretIsRefused() throws Exception {
        target =
                EmbeddedTarget.startAdvertising(
                        TargetSettings.defaults(), LinuxGuest.HOST_FROM_GUEST, "ram:64M");
        target.requireChap(
                new ChapCredentials("linux-guest", "guest-secret-0123"),
                new ChapCredentials("iscsilab-target", "target-secret-4567"));
        GuestRun run =
                run(
                        LinuxGuest.of(image)
                                .target(target.address().getPort(), target.iqn())
                                .env("GUEST_CHAP_USER", "linux-guest")
                                .env("GUEST_CHAP_SECRET", "guest-secret-0123")
                                .env("GUEST_CHAP_TARGET_USER", "iscsilab-target")
                                .env("GUEST_CHAP_TARGET_SECRET", "target-secret-4567")
                                .script(
                                        """
                discover_and_login
                d=$(disk_of_lun 0)
                verify_region "$d" 0 2
                logout_all
                # the same node with a wrong secret: the target answers authentication failure
                iscsiadm -m node -T "$GUEST_TARGET" -o update -n node.session.auth.password -v wrong-secret-999
                if iscsiadm -m node -T "$GUEST_TARGET" --login > /tmp/refused 2>&1; then fail "a wrong secret logged in"; fi
                mark REFUSED
                """));
        assertEquals(1, run.markers("VERIFIED").size());
        assertTrue(run.marker("REFUSED").isPresent());
        assertTrue(
                target.events()
                                .count(
                                        e ->
                                                e.type() == EventLog.Type.LOGIN
                                                        && "FAILED".equals(e.status())
                                                        && e.detail().contains("0x0201"))
                        >= 1,
                "the target refused the wrong secret with authentication failure");
    }
}
