package org.iscsilab.iscsi.login;

import static org.iscsilab.iscsi.login.KeyKind.BOOLEAN_AND;
import static org.iscsilab.iscsi.login.KeyKind.BOOLEAN_OR;
import static org.iscsilab.iscsi.login.KeyKind.NUMERICAL_MAX;
import static org.iscsilab.iscsi.login.KeyKind.NUMERICAL_MIN;
import static org.iscsilab.iscsi.login.KeyScope.CONNECTION;
import static org.iscsilab.iscsi.login.KeyScope.SECURITY;
import static org.iscsilab.iscsi.login.KeyScope.SESSION;
import static org.iscsilab.iscsi.login.KeyScope.SESSION_LEADING_ONLY;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Every text key of RFC 7143 §13 (and RFC 7144 §6.1/6.2), declared once. */
public final class Keys {
    public static final String HEADER_DIGEST = "HeaderDigest";
    public static final String DATA_DIGEST = "DataDigest";
    public static final String MAX_CONNECTIONS = "MaxConnections";
    public static final String SEND_TARGETS = "SendTargets";
    public static final String TARGET_NAME = "TargetName";
    public static final String INITIATOR_NAME = "InitiatorName";
    public static final String TARGET_ALIAS = "TargetAlias";
    public static final String INITIATOR_ALIAS = "InitiatorAlias";
    public static final String TARGET_ADDRESS = "TargetAddress";
    public static final String TARGET_PORTAL_GROUP_TAG = "TargetPortalGroupTag";
    public static final String INITIAL_R2T = "InitialR2T";
    public static final String IMMEDIATE_DATA = "ImmediateData";
    public static final String MAX_RECV_DATA_SEGMENT_LENGTH = "MaxRecvDataSegmentLength";
    public static final String MAX_BURST_LENGTH = "MaxBurstLength";
    public static final String FIRST_BURST_LENGTH = "FirstBurstLength";
    public static final String DEFAULT_TIME_2_WAIT = "DefaultTime2Wait";
    public static final String DEFAULT_TIME_2_RETAIN = "DefaultTime2Retain";
    public static final String MAX_OUTSTANDING_R2T = "MaxOutstandingR2T";
    public static final String DATA_PDU_IN_ORDER = "DataPDUInOrder";
    public static final String DATA_SEQUENCE_IN_ORDER = "DataSequenceInOrder";
    public static final String ERROR_RECOVERY_LEVEL = "ErrorRecoveryLevel";
    public static final String SESSION_TYPE = "SessionType";
    public static final String AUTH_METHOD = "AuthMethod";

    /** RFC 7143 §12.1.3 CHAP keys: algorithm, identifier, challenge, name, response. */
    public static final String CHAP_A = "CHAP_A";

    public static final String CHAP_I = "CHAP_I";
    public static final String CHAP_C = "CHAP_C";
    public static final String CHAP_N = "CHAP_N";
    public static final String CHAP_R = "CHAP_R";
    public static final String SRP_U = "SRP_U";
    public static final String TARGET_AUTH = "TargetAuth";
    public static final String SRP_GROUP = "SRP_GROUP";
    public static final String SRP_S = "SRP_s";
    public static final String SRP_A = "SRP_A";
    public static final String SRP_B = "SRP_B";
    public static final String SRP_M = "SRP_M";
    public static final String SRP_HM = "SRP_HM";
    public static final String TASK_REPORTING = "TaskReporting";
    public static final String ISCSI_PROTOCOL_LEVEL = "iSCSIProtocolLevel";

    /**
     * RFC 7143 §13.26: obsoleted marker keys; IFMarker/OFMarker may be answered No, *MarkInt must
     * be Rejected.
     */
    public static final Set<String> OBSOLETE_MARKERS = Set.of("IFMarker", "OFMarker");

    public static final Set<String> OBSOLETE_MARKER_INTERVALS = Set.of("IFMarkInt", "OFMarkInt");

    private static final long MAX_24BIT = (1 << 24) - 1;

    private static final Map<String, TextKey> ALL = new LinkedHashMap<>();

    static {
        add(TextKey.list(HEADER_DIGEST, "None", List.of("CRC32C", "None"), CONNECTION)); // §13.1
        add(TextKey.list(DATA_DIGEST, "None", List.of("CRC32C", "None"), CONNECTION)); // §13.1
        add(
                TextKey.numeric(
                        MAX_CONNECTIONS,
                        NUMERICAL_MIN,
                        1,
                        1,
                        65535,
                        SESSION_LEADING_ONLY)); // §13.2
        add(TextKey.declarative(SEND_TARGETS, null, SESSION)); // §13.3
        add(TextKey.declarative(TARGET_NAME, null, SESSION_LEADING_ONLY)); // §13.4
        add(TextKey.declarative(INITIATOR_NAME, null, SESSION_LEADING_ONLY)); // §13.5
        add(TextKey.declarative(TARGET_ALIAS, null, SESSION_LEADING_ONLY)); // §13.6
        add(TextKey.declarative(INITIATOR_ALIAS, null, SESSION_LEADING_ONLY)); // §13.7
        add(TextKey.declarative(TARGET_ADDRESS, null, SESSION)); // §13.8
        add(
                TextKey.declarativeNumber(
                        TARGET_PORTAL_GROUP_TAG, 1, 0, 65535, SESSION_LEADING_ONLY)); // §13.9
        add(TextKey.bool(INITIAL_R2T, BOOLEAN_OR, true, SESSION_LEADING_ONLY)); // §13.10
        add(TextKey.bool(IMMEDIATE_DATA, BOOLEAN_AND, true, SESSION_LEADING_ONLY)); // §13.11
        add(
                TextKey.declarativeNumber(
                        MAX_RECV_DATA_SEGMENT_LENGTH, 8192, 512, MAX_24BIT, CONNECTION)); // §13.12
        add(
                TextKey.numeric(
                        MAX_BURST_LENGTH,
                        NUMERICAL_MIN,
                        262144,
                        512,
                        MAX_24BIT,
                        SESSION_LEADING_ONLY)); // §13.13
        add(
                TextKey.numeric(
                        FIRST_BURST_LENGTH,
                        NUMERICAL_MIN,
                        65536,
                        512,
                        MAX_24BIT,
                        SESSION_LEADING_ONLY)); // §13.14
        add(
                TextKey.numeric(
                        DEFAULT_TIME_2_WAIT,
                        NUMERICAL_MAX,
                        2,
                        0,
                        3600,
                        SESSION_LEADING_ONLY)); // §13.15
        add(
                TextKey.numeric(
                        DEFAULT_TIME_2_RETAIN,
                        NUMERICAL_MIN,
                        20,
                        0,
                        3600,
                        SESSION_LEADING_ONLY)); // §13.16
        add(
                TextKey.numeric(
                        MAX_OUTSTANDING_R2T,
                        NUMERICAL_MIN,
                        1,
                        1,
                        65535,
                        SESSION_LEADING_ONLY)); // §13.17
        add(TextKey.bool(DATA_PDU_IN_ORDER, BOOLEAN_OR, true, SESSION_LEADING_ONLY)); // §13.18
        add(TextKey.bool(DATA_SEQUENCE_IN_ORDER, BOOLEAN_OR, true, SESSION_LEADING_ONLY)); // §13.19
        add(
                TextKey.numeric(
                        ERROR_RECOVERY_LEVEL,
                        NUMERICAL_MIN,
                        0,
                        0,
                        2,
                        SESSION_LEADING_ONLY)); // §13.20
        add(
                TextKey.declarativeChoice(
                        SESSION_TYPE,
                        "Normal",
                        List.of("Discovery", "Normal"),
                        SESSION_LEADING_ONLY)); // §13.21
        add(TextKey.list(AUTH_METHOD, "None", List.of("SRP", "CHAP", "None"), SECURITY)); // §12.1
        add(
                TextKey.list(
                        TASK_REPORTING,
                        "RFC3720",
                        List.of("RFC3720"),
                        SESSION_LEADING_ONLY)); // RFC 7144 §6.2
        add(
                TextKey.numeric(
                        ISCSI_PROTOCOL_LEVEL,
                        NUMERICAL_MIN,
                        1,
                        0,
                        31,
                        SESSION_LEADING_ONLY)); // RFC 7144 §6.1
    }

    private Keys() {}

    private static void add(TextKey key) {
        ALL.put(key.name(), key);
    }

    /** The declaration of a key, or null for a key this implementation does not understand. */
    public static TextKey get(String name) {
        return ALL.get(name);
    }

    public static Map<String, TextKey> all() {
        return Map.copyOf(ALL);
    }
}
