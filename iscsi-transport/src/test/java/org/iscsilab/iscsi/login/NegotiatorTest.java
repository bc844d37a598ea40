package org.iscsilab.iscsi.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The responder's negotiation engine applies each RFC 7143 §6.2 selection rule from the key table.
 */
class NegotiatorTest {
    private Negotiator target = newTarget();

    private static Negotiator newTarget() {
        return new Negotiator(
                Map.of(
                        Keys.HEADER_DIGEST, "CRC32C,None",
                        Keys.DATA_DIGEST, "CRC32C,None",
                        Keys.MAX_BURST_LENGTH, "1048576",
                        Keys.FIRST_BURST_LENGTH, "262144",
                        Keys.DEFAULT_TIME_2_WAIT, "2",
                        Keys.INITIAL_R2T, "No",
                        Keys.IMMEDIATE_DATA, "Yes",
                        Keys.ERROR_RECOVERY_LEVEL, "0"));
    }

    private Map<String, String> answer(String... pairs) throws LoginException {
        List<Map.Entry<String, String>> offers = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            offers.add(Map.entry(pairs[i], pairs[i + 1]));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : target.respond(offers)) {
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    @Test
    void listKeysTakeTheFirstOfferedValueTheResponderSupports() throws Exception {
        assertEquals("None", answer(Keys.HEADER_DIGEST, "None,CRC32C").get(Keys.HEADER_DIGEST));
        assertEquals("CRC32C", answer(Keys.DATA_DIGEST, "CRC32C,None").get(Keys.DATA_DIGEST));
    }

    @Test
    void aListWithNothingSupportedIsRejected() throws Exception {
        assertEquals("Reject", answer(Keys.HEADER_DIGEST, "MD5").get(Keys.HEADER_DIGEST));
    }

    @Test
    void numericalMinimumTakesTheSmaller() throws Exception {
        Map<String, String> a =
                answer(Keys.MAX_BURST_LENGTH, "262144", Keys.FIRST_BURST_LENGTH, "1048576");
        assertEquals("262144", a.get(Keys.MAX_BURST_LENGTH));
        assertEquals("262144", a.get(Keys.FIRST_BURST_LENGTH));
    }

    @Test
    void numericalMaximumTakesTheLarger() throws Exception {
        assertEquals("5", answer(Keys.DEFAULT_TIME_2_WAIT, "5").get(Keys.DEFAULT_TIME_2_WAIT));
        target = newTarget();
        assertEquals("2", answer(Keys.DEFAULT_TIME_2_WAIT, "0").get(Keys.DEFAULT_TIME_2_WAIT));
    }

    @Test
    void booleanOrAndBooleanAnd() throws Exception {
        Map<String, String> a = answer(Keys.INITIAL_R2T, "Yes", Keys.IMMEDIATE_DATA, "No");
        assertEquals("Yes", a.get(Keys.INITIAL_R2T), "InitialR2T is OR: either side's Yes wins");
        assertEquals(
                "No", a.get(Keys.IMMEDIATE_DATA), "ImmediateData is AND: either side's No wins");
    }

    @Test
    void hexadecimalNumbersAreAccepted() throws Exception {
        assertEquals("65536", answer(Keys.MAX_BURST_LENGTH, "0x10000").get(Keys.MAX_BURST_LENGTH));
    }

    @Test
    void outOfRangeAndMalformedValuesAreRejected() throws Exception {
        assertEquals(
                "Reject",
                answer(Keys.MAX_BURST_LENGTH, "100").get(Keys.MAX_BURST_LENGTH),
                "below 512");
        assertEquals(
                "Reject", answer(Keys.ERROR_RECOVERY_LEVEL, "3").get(Keys.ERROR_RECOVERY_LEVEL));
        assertEquals("Reject", answer(Keys.INITIAL_R2T, "maybe").get(Keys.INITIAL_R2T));
        assertEquals(
                "Reject", answer(Keys.DEFAULT_TIME_2_RETAIN, "-1").get(Keys.DEFAULT_TIME_2_RETAIN));
    }

    @Test
    void unknownKeysAreNotUnderstood() throws Exception {
        assertEquals(
                "NotUnderstood",
                answer("X-com.example.Frobnicate", "1").get("X-com.example.Frobnicate"));
        assertEquals("NotUnderstood", answer("NoSuchKey", "1").get("NoSuchKey"));
    }

    @Test
    void obsoleteMarkerKeysFollowRfc7143() throws Exception {
        Map<String, String> a = answer("IFMarker", "No", "OFMarkInt", "2048~8192");
        assertEquals("No", a.get("IFMarker"));
        assertEquals("Reject", a.get("OFMarkInt"));
    }

    @Test
    void declarativeKeysAreRecordedWithoutAnAnswer() throws Exception {
        Map<String, String> a =
                answer(
                        Keys.INITIATOR_NAME,
                        "iqn.2026-01.org.example:i",
                        Keys.MAX_RECV_DATA_SEGMENT_LENGTH,
                        "65536");
        assertTrue(a.isEmpty());
        assertEquals("65536", target.declared(Keys.MAX_RECV_DATA_SEGMENT_LENGTH));
    }

    @Test
    void aKeyOfferedTwiceFailsTheLogin() throws Exception {
        answer(Keys.MAX_BURST_LENGTH, "65536");
        LoginException e =
                assertThrows(LoginException.class, () -> answer(Keys.MAX_BURST_LENGTH, "65536"));
        assertEquals(LoginStatus.INITIATOR_ERROR, e.status());
    }

    @Test
    void aDeclarationRepeatedUnchangedIsAcceptedButAChangedOneFailsTheLogin() throws Exception {
        answer(Keys.INITIATOR_NAME, "iqn.2026-01.org.example:a");
        assertTrue(
                answer(Keys.INITIATOR_NAME, "iqn.2026-01.org.example:a").isEmpty(),
                "nothing to answer");
        LoginException e =
                assertThrows(
                        LoginException.class,
                        () -> answer(Keys.INITIATOR_NAME, "iqn.2026-01.org.example:b"));
        assertEquals(LoginStatus.INITIATOR_ERROR, e.status());
    }

    @Test
    void keysNeverOfferedKeepTheirDefaultsAndFirstBurstNeverExceedsMaxBurst() throws Exception {
        answer(Keys.MAX_BURST_LENGTH, "16384", Keys.MAX_RECV_DATA_SEGMENT_LENGTH, "8192");
        SessionParameters p = SessionParameters.from(target, 262144);
        assertEquals(16384, p.maxBurstLength());
        assertEquals(
                16384,
                p.firstBurstLength(),
                "default 65536 clamped to MaxBurstLength (RFC 7143 §13.14)");
        assertEquals(1, p.maxOutstandingR2T());
        assertEquals(8192, p.peerMaxRecvDataSegmentLength());
        assertEquals(262144, p.maxRecvDataSegmentLength());
    }

    @Test
    void everyRfc7143KeyIsDeclared() {
        for (String k :
                List.of(
                        "HeaderDigest",
                        "DataDigest",
                        "MaxConnections",
                        "SendTargets",
                        "TargetName",
                        "InitiatorName",
                        "TargetAlias",
                        "InitiatorAlias",
                        "TargetAddress",
                        "TargetPortalGroupTag",
                        "InitialR2T",
                        "ImmediateData",
                        "MaxRecvDataSegmentLength",
                        "MaxBurstLength",
                        "FirstBurstLength",
                        "DefaultTime2Wait",
                        "DefaultTime2Retain",
                        "MaxOutstandingR2T",
                        "DataPDUInOrder",
                        "DataSequenceInOrder",
                        "ErrorRecoveryLevel",
                        "SessionType",
                        "AuthMethod")) {
            assertTrue(Keys.get(k) != null, k + " is declared");
        }
    }
}
