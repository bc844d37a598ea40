package org.iscsilab.iscsi.fault;

import java.util.List;
import java.util.Locale;
import org.iscsilab.core.fault.FaultAction;
import org.iscsilab.core.fault.FaultActions;
import org.iscsilab.core.fault.FaultSpec;
import org.iscsilab.core.fault.ScsiFaultActions;

/** The connection and login actions of the rule language, which the iSCSI transport carries out. */
public final class IscsiFaultActions implements FaultActions {
    public static final IscsiFaultActions INSTANCE = new IscsiFaultActions();

    /**
     * Every layer an iSCSI target carries out: SCSI actions (the core's), then connection and login
     * ones.
     */
    public static final List<FaultActions> ALL_LAYERS =
            List.of(ScsiFaultActions.INSTANCE, INSTANCE);

    private static final List<String> NAMES =
            List.of(
                    "freeze",
                    "drop",
                    "drop-pdu",
                    "corrupt-digest",
                    "ignore-nops",
                    "ignore-tmf",
                    "async",
                    "refuse-login",
                    "redirect",
                    "delay-login");

    private IscsiFaultActions() {}

    /** dir=in (PDUs from the initiator) or dir=out (to it, the default). */
    private static ConnectionFaultAction.Direction direction(FaultSpec.Settings s) {
        String d = s.optional("dir", "out").toLowerCase(Locale.ROOT);
        return switch (d) {
            case "in" -> ConnectionFaultAction.Direction.IN;
            case "out" -> ConnectionFaultAction.Direction.OUT;
            default ->
                    throw new IllegalArgumentException(
                            "dir=" + d + ": in (from the initiator) or out (to it)");
        };
    }

    /** pdu=any (default), command, data-out, data-in, r2t or status. */
    private static ConnectionFaultAction.PduKind kind(FaultSpec.Settings s) {
        String k = s.optional("pdu", "any").toLowerCase(Locale.ROOT);
        try {
            return ConnectionFaultAction.PduKind.valueOf(
                    k.replace('-', '_').toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "pdu=" + k + ": any, command, data-out, data-in, r2t or status");
        }
    }

    @Override
    public List<String> names() {
        return NAMES;
    }

    @Override
    public FaultAction parse(String name, FaultSpec.Settings s) {
        return switch (name) {
            case "freeze" -> new ConnectionFaultAction.Freeze();
            case "drop" ->
                    new ConnectionFaultAction.Drop(
                            !"false".equalsIgnoreCase(s.optional("fin", "true")));
            case "drop-pdu" -> new ConnectionFaultAction.DropPdu(direction(s), kind(s));
            case "corrupt-digest" -> new ConnectionFaultAction.CorruptDigest(direction(s), kind(s));
            case "ignore-nops" -> new ConnectionFaultAction.IgnoreNops();
            case "ignore-tmf" -> new ConnectionFaultAction.IgnoreTaskManagement();
            case "async" ->
                    new ConnectionFaultAction.AsyncMessage((int) s.number("event", 1, 3, true));
            case "refuse-login" -> {
                String[] f =
                        s.required("status", "CLASS/DETAIL in hex, e.g. status=02/01").split("/");
                if (f.length != 2) {
                    throw new IllegalArgumentException(
                            "refuse-login needs status=CLASS/DETAIL, e.g. 02/01");
                }
                int cls = FaultSpec.hexByte("status class", f[0]);
                if (cls != 1 && cls != 2 && cls != 3) { // RFC 7143 §11.13.5
                    throw new IllegalArgumentException(
                            "a refused login has status class 01 (redirect), 02 "
                                    + "(initiator error) or 03 (target error), not "
                                    + f[0]);
                }
                yield new LoginFaultAction.RefuseLogin(
                        cls, FaultSpec.hexByte("status detail", f[1]));
            }
            case "redirect" -> {
                String to = s.required("to", "the address to log in to, e.g. to=10.0.0.2:3260");
                int colon = to.lastIndexOf(':');
                if (colon <= 0 || colon == to.length() - 1) {
                    throw new IllegalArgumentException(
                            "redirect needs to=HOST:PORT, e.g. to=10.0.0.2:3260, not " + to);
                }
                try {
                    int port = Integer.parseInt(to.substring(colon + 1));
                    if (port < 1 || port > 65535) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "redirect: the port of " + to + " is not between 1 and 65535");
                }
                long tpgt = s.number("tpgt", 1, 0xFFFF, false);
                boolean permanent = s.flag("permanent");
                yield new LoginFaultAction.Redirect(tpgt > 0 ? to + "," + tpgt : to, permanent);
            }
            case "delay-login" ->
                    new LoginFaultAction.DelayLogin(
                            FaultSpec.duration(
                                    "delay-login",
                                    s.required("delay-login", "a duration, e.g. delay-login=2s")));
            default -> throw new IllegalArgumentException("not an iSCSI fault action: " + name);
        };
    }
}
