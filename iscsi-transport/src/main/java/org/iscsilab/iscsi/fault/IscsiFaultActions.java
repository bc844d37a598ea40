package org.iscsilab.iscsi.fault;

import java.util.List;
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
                    "ignore-nops",
                    "ignore-tmf",
                    "async",
                    "refuse-login",
                    "delay-login");

    private IscsiFaultActions() {}

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
            case "delay-login" ->
                    new LoginFaultAction.DelayLogin(
                            FaultSpec.duration(
                                    "delay-login",
                                    s.required("delay-login", "a duration, e.g. delay-login=2s")));
            default -> throw new IllegalArgumentException("not an iSCSI fault action: " + name);
        };
    }
}
