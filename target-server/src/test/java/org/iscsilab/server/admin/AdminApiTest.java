package org.iscsilab.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;
import org.iscsilab.scsi.SenseKey;
import org.iscsilab.server.EmbeddedTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admin HTTP API changes a running target; initiators see each change as SPC says they must.
 */
class AdminApiTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private EmbeddedTarget target;
    private URI api;
    private IscsiInitiator initiator;
    private InitiatorSession session;

    @BeforeEach
    void start() throws Exception {
        target = EmbeddedTarget.start("ram:16M");
        api = target.startAdmin();
        initiator = new IscsiInitiator(1);
        session = initiator.login(target.address(), InitiatorConfig.normal(target.iqn())).join();
        session.execute(LunAddress.encode(0), Cdbs.testUnitReady(), null, 0)
                .join(); // power-on unit attention
    }

    @AfterEach
    void stop() {
        initiator.close();
        target.close();
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(api.resolve(path));
        b.method(
                method,
                body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode ok(HttpResponse<String> r, int status) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        return r.body().isEmpty() ? null : json.readTree(r.body());
    }

    private ScsiResult tur(int lun) {
        return session.execute(LunAddress.encode(lun), Cdbs.testUnitReady(), null, 0).join();
    }

    @Test
    void aResizeIsSeenAsCapacityDataHasChangedThenTheNewReadCapacity() throws Exception {
        JsonNode lun = ok(call("PATCH", "luns/0", "{\"size\":\"32M\"}"), 200);
        assertEquals(65536, lun.get("blocks").asLong());
        ScsiResult ua = tur(0);
        assertEquals(SenseKey.UNIT_ATTENTION, ua.senseData().key());
        assertEquals(0x2A, ua.senseData().asc());
        assertEquals(0x09, ua.senseData().ascq(), "CAPACITY DATA HAS CHANGED");
        ScsiResult cap =
                session.execute(LunAddress.encode(0), Cdbs.readCapacity16(32), null, 32).join();
        assertEquals(65535, ByteBuffer.wrap(cap.data()).getLong(0), "the last LBA of 32 MiB");
    }

    @Test
    void addingAndRemovingLunsIsReportedAndTheRemovedLunAnswersNoMore() throws Exception {
        JsonNode added = ok(call("POST", "luns", "{\"spec\":\"ram:8M,thin\"}"), 201);
        assertEquals(1, added.get("lun").asInt());
        ScsiResult ua = tur(0);
        assertEquals(0x3F, ua.senseData().asc());
        assertEquals(0x0E, ua.senseData().ascq(), "REPORTED LUNS DATA HAS CHANGED");
        tur(1); // its power-on unit attention
        assertTrue(tur(1).good());
        ok(call("DELETE", "luns/1", null), 204);
        long removedAt = target.events().recorded();
        ScsiResult gone = tur(1);
        assertEquals(SenseKey.ILLEGAL_REQUEST, gone.senseData().key());
        assertEquals(0x25, gone.senseData().asc(), "LOGICAL UNIT NOT SUPPORTED");
        assertEquals(
                0,
                target.events()
                        .count(
                                e ->
                                        e.sequence() > removedAt
                                                && e.lun() == 1
                                                && "GOOD".equals(e.status())),
                "nothing reached LUN 1 after it was removed");
    }

    @Test
    void faultsCanBeAddedListedAndRemovedOverHttp() throws Exception {
        JsonNode rule = ok(call("POST", "faults", "{\"rule\":\"busy,lun=0\"}"), 201);
        assertEquals(0x08, tur(0).status(), "BUSY");
        JsonNode list = ok(call("GET", "faults", null), 200);
        assertEquals(1, list.size());
        assertEquals(1, list.get(0).get("fired").asInt());
        ok(call("DELETE", "faults/" + rule.get("id").asInt(), null), 204);
        assertTrue(tur(0).good());
        JsonNode events = ok(call("GET", "events?type=FAULT", null), 200);
        assertEquals(1, events.get("matching").asInt());
    }

    private void writeBlock(long lba, int fill) {
        byte[] block = new byte[512];
        Arrays.fill(block, (byte) fill);
        assertTrue(
                session.execute(LunAddress.encode(0), Cdbs.write10(lba, 1, false), block, 0)
                        .join()
                        .good());
    }

    private int readByte(long lba) {
        return session.execute(LunAddress.encode(0), Cdbs.read10(lba, 1), null, 512)
                .join()
                .data()[0];
    }

    @Test
    void aResetLunReadsAsItStartedAndASnapshotPutsContentBack() throws Exception {
        writeBlock(5, 0x11);
        JsonNode snap = ok(call("POST", "luns/0/snapshots", null), 201);
        assertEquals(0, snap.get("lun").asInt());
        assertEquals(16 << 20, snap.get("bytes").asLong());
        writeBlock(5, 0x22);

        ok(call("POST", "luns/0/reset", null), 200);
        assertEquals(0, readByte(5), "a RAM LUN reads as zeros after a reset");

        ok(call("POST", "snapshots/" + snap.get("id").asInt() + "/restore", null), 200);
        assertEquals(0x11, readByte(5), "the snapshot's content, not the later write");
        assertEquals(1, ok(call("GET", "snapshots", null), 200).size());
        ok(call("DELETE", "snapshots/" + snap.get("id").asInt(), null), 204);
        assertEquals(0, ok(call("GET", "snapshots", null), 200).size());
        assertEquals(
                404,
                call("POST", "snapshots/" + snap.get("id").asInt() + "/restore", null)
                        .statusCode());
    }

    @Test
    void aResetUndoesAResizeAndInitiatorsHearOfIt() throws Exception {
        ok(call("PATCH", "luns/0", "{\"size\":\"32M\"}"), 200);
        tur(0); // the resize's CAPACITY DATA HAS CHANGED
        assertEquals(16 << 20, ok(call("POST", "luns/0/reset", null), 200).get("bytes").asLong());
        ScsiResult ua = tur(0);
        assertEquals(0x2A, ua.senseData().asc());
        assertEquals(0x09, ua.senseData().ascq(), "CAPACITY DATA HAS CHANGED");
    }

    @Test
    void aSnapshotOfARemovedLunCanOnlyBeDropped() throws Exception {
        ok(call("POST", "luns", "{\"spec\":\"ram:1M\",\"lun\":3}"), 201);
        int id = ok(call("POST", "luns/3/snapshots", null), 201).get("id").asInt();
        ok(call("DELETE", "luns/3", null), 204);
        ok(call("POST", "luns", "{\"spec\":\"ram:1M\",\"lun\":3}"), 201);

        HttpResponse<String> r = call("POST", "snapshots/" + id + "/restore", null);

        assertEquals(409, r.statusCode(), r.body());
        assertTrue(r.body().contains("removed since"), r.body());
        ok(call("DELETE", "snapshots/" + id, null), 204);
    }

    @Test
    void badRequestsGetAMessageAndChangeNothing() throws Exception {
        assertEquals(400, call("POST", "faults", "{\"rule\":\"explode\"}").statusCode());
        assertEquals(400, call("POST", "faults", "not json").statusCode());
        assertEquals(400, call("PATCH", "luns/0", "{\"size\":\"lots\"}").statusCode());
        assertEquals(404, call("DELETE", "luns/7", null).statusCode());
        assertEquals(404, call("GET", "nothing", null).statusCode());
        assertEquals(405, call("PUT", "faults", "{}").statusCode());
        assertEquals(
                409,
                call("PATCH", "luns/0", "{\"medium\":\"eject\"}").statusCode(),
                "not removable");
        HttpResponse<String> r = call("POST", "luns", "{\"spec\":\"tape:1G\"}");
        assertEquals(400, r.statusCode());
        assertTrue(json.readTree(r.body()).get("error").asText().length() > 10, r.body());
        assertEquals(0, ok(call("GET", "faults", null), 200).size());
        assertEquals(1, ok(call("GET", "luns", null), 200).size());
        assertEquals(16 << 20, ok(call("GET", "luns/0", null), 200).get("bytes").asLong());
    }

    @Test
    void prometheusScrapesCommandsByOpcodeAndStatusLatencyDataSessionsAndLogins() throws Exception {
        session.execute(LunAddress.encode(0), Cdbs.write16(8, 8, false), new byte[4096], 0).join();
        for (int i = 0; i < 3; i++) {
            session.execute(LunAddress.encode(0), Cdbs.read16(8, 8), null, 4096).join();
        }
        target.faults().add("medium-error,lun=0,lba=100-100,op=read,once");
        session.execute(LunAddress.encode(0), Cdbs.read16(100, 1), null, 512).join();

        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(api.resolve("/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(
                r.headers().firstValue("content-type").orElse("").startsWith("text/plain"),
                r.headers().toString());
        String text = r.body();
        assertTrue(
                text.contains("iscsi_target_commands_total{opcode=\"0x88\",status=\"GOOD\"} 3.0"),
                text);
        assertTrue(
                text.contains(
                        "iscsi_target_commands_total{opcode=\"0x88\",status=\"CHECK_CONDITION\"} 1.0"),
                text);
        assertTrue(
                text.contains(
                        "iscsi_target_command_latency_seconds_bucket{opcode=\"0x88\",le=\"1.0E-5\"}"),
                "a histogram whose first bucket is 10 us: " + text);
        assertTrue(
                text.lines()
                        .anyMatch(
                                l ->
                                        l.startsWith("process_cpu_seconds_total ")
                                                && Double.parseDouble(l.split(" ")[1]) > 0),
                "the process's CPU time: " + text);
        assertTrue(text.contains("iscsi_target_data_sent_bytes_sum 12288.0"), text);
        assertTrue(text.contains("iscsi_target_data_received_bytes_sum 4096.0"), text);
        assertTrue(text.contains("iscsi_target_sessions 1.0"), text);
        assertTrue(text.contains("iscsi_target_connections 1.0"), text);
        assertTrue(text.contains("iscsi_target_logins_total{outcome=\"SUCCESS\"} 1.0"), text);
        assertTrue(text.contains("iscsi_target_faults_fired_total{rule=\"any\"} 1.0"), text);
        assertTrue(text.contains("iscsi_target_lun_commands_in_flight{lun=\"0\"} 0.0"), text);
    }
}
