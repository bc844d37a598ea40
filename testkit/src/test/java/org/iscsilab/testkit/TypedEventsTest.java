package org.iscsilab.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.iscsilab.iscsi.initiator.LoginRefusedException;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.ScsiStatus;
import org.junit.jupiter.api.Test;

/** The event log as typed records, one kind per query, read as collections. */
class TypedEventsTest {
    @Test
    void eachKindOfEventComesAsItsOwnRecord() throws Exception {
        try (IscsiTarget target =
                IscsiTarget.builder().lun("ram:1M").chap("host", "twelve-bytes-secret").start()) {
            try (BlockDevice disk = target.connect(0)) {
                disk.write(8, new byte[1024]);
                disk.flush();
                disk.flush();
                target.add(Faults.mediumError().lun(0).lbas(8, 8).reads());
                assertThrows(ScsiCommandException.class, () -> disk.read(8, 1));
            }
            assertThrows(
                    LoginRefusedException.class, () -> target.connect(0, "host", "wrong-secret!"));

            assertThat(target.events().commands().opcode(ScsiOpcode.SYNCHRONIZE_CACHE_16).lun(0))
                    .hasSize(2)
                    .allMatch(CommandEvent::good);

            CommandEvent write =
                    target.events().commands().opcode(ScsiOpcode.WRITE_16).list().get(0);
            assertEquals(8, write.lba());
            assertEquals(2, write.blocks());
            assertTrue(write.tsih() > 0);

            assertThat(
                            target.events()
                                    .commands()
                                    .opcode(ScsiOpcode.READ_16)
                                    .status(ScsiStatus.CHECK_CONDITION))
                    .hasSize(1);

            FaultEvent fired = target.events().faults().list().get(0);
            assertEquals(ScsiOpcode.READ_16, fired.opcode());
            assertTrue(fired.rule().contains("medium-error,lun=0,lba=8-8,op=read"), fired.rule());

            List<LoginEvent> logins = target.events().logins().list();
            assertEquals(
                    List.of("SUCCESS", "FAILED"),
                    logins.stream().map(LoginEvent::outcome).toList());
            assertThat(target.events().logouts()).isNotEmpty();

            List<TargetEvent> all = target.events().list();
            assertTrue(all.get(0) instanceof LoginEvent, "the first event is the first login");
            for (int i = 1; i < all.size(); i++) {
                assertTrue(all.get(i).sequence() > all.get(i - 1).sequence(), "oldest first");
            }
        }
    }
}
