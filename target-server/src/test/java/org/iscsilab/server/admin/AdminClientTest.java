package org.iscsilab.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;
import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.server.EmbeddedTarget;
import org.junit.jupiter.api.Test;

/** The admin API's one client: typed events and fault rules, and the API's own error messages. */
class AdminClientTest {
    @Test
    void anEventSurvivesItsTripThroughTheApisJson() {
        EventLog.Event e =
                new EventLog.Event(
                        42,
                        1_767_225_600_123L,
                        EventLog.Type.COMMAND,
                        "iqn.x:y",
                        7,
                        3,
                        0x88,
                        2048,
                        8,
                        "CHECK_CONDITION",
                        null,
                        0xFFFF_FFF0L);
        assertEquals(
                e, EventJson.decode(EventJson.encode(e, new ObjectMapper().createObjectNode())));
        EventLog.Event login =
                new EventLog.Event(
                        1,
                        5,
                        EventLog.Type.LOGIN,
                        "iqn.x:y",
                        -1,
                        -1,
                        -1,
                        -1,
                        0,
                        "REFUSED",
                        "03/01",
                        -1);
        assertEquals(
                login,
                EventJson.decode(EventJson.encode(login, new ObjectMapper().createObjectNode())));
    }

    @Test
    void eventsAndFaultsOfARunningTarget() throws Exception {
        try (EmbeddedTarget t = EmbeddedTarget.start("ram:16M");
                IscsiInitiator initiator = new IscsiInitiator()) {
            URI api = t.startAdmin();
            AdminClient admin = new AdminClient(api.getHost() + ":" + api.getPort());
            assertTrue(
                    admin.events(Map.of("type", "FAULT")).events().isEmpty(),
                    "an empty log is an empty list");
            int id = admin.addFault("medium-error,lun=0,lba=100-107,op=read");
            InitiatorSession s =
                    initiator.login(t.address(), InitiatorConfig.normal(t.iqn())).join();
            s.execute(LunAddress.encode(0), Cdbs.testUnitReady(), null, 0)
                    .join(); // the power-on unit attention
            assertEquals(
                    ScsiStatus.CHECK_CONDITION.code(),
                    s.execute(LunAddress.encode(0), Cdbs.read16(100, 8), null, 4096)
                            .join()
                            .status());
            List<EventLog.Event> fired = admin.events(Map.of("type", "FAULT")).events();
            assertEquals(1, fired.size(), fired.toString());
            assertEquals(100, fired.get(0).lba());
            assertEquals(0x88, fired.get(0).opcode());
            admin.removeFault(id);
            assertTrue(
                    s.execute(LunAddress.encode(0), Cdbs.read16(100, 8), null, 4096).join().good());
            AdminClient.AdminException gone =
                    assertThrows(AdminClient.AdminException.class, () -> admin.removeFault(id));
            assertTrue(gone.getMessage().contains(Integer.toString(id)), gone.getMessage());
            s.logout().join();
        }
    }
}
