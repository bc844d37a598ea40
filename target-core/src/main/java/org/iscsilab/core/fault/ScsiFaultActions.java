package org.iscsilab.core.fault;

import java.util.List;
import org.iscsilab.core.alua.AccessState;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseKey;

/** The SCSI actions of the rule language (see {@link FaultSpec} for the whole syntax). */
public final class ScsiFaultActions implements FaultActions {
    public static final ScsiFaultActions INSTANCE = new ScsiFaultActions();

    private static final List<String> NAMES =
            List.of(
                    "check-condition",
                    "medium-error",
                    "busy",
                    "task-set-full",
                    "reservation-conflict",
                    "hang",
                    "short",
                    "corrupt",
                    "unit-attention",
                    "delay",
                    "alua");

    private ScsiFaultActions() {}

    @Override
    public List<String> names() {
        return NAMES;
    }

    @Override
    public ScsiFaultAction parse(String name, FaultSpec.Settings s) {
        return switch (name) {
            case "check-condition" -> {
                String[] f =
                        FaultSpec.fullSense(
                                s.required("sense", "KEY/ASC/ASCQ, e.g. sense=MEDIUM_ERROR/11/00"));
                yield new ScsiFaultAction.CheckCondition(
                        FaultSpec.senseKey(f[0]), FaultSpec.additional(f[1], f[2]));
            }
            case "medium-error" ->
                    new ScsiFaultAction.CheckCondition(
                            SenseKey.MEDIUM_ERROR, AdditionalSense.UNRECOVERED_READ_ERROR);
            case "busy" -> new ScsiFaultAction.Status(ScsiStatus.BUSY);
            case "task-set-full" -> new ScsiFaultAction.Status(ScsiStatus.TASK_SET_FULL);
            case "reservation-conflict" ->
                    new ScsiFaultAction.Status(ScsiStatus.RESERVATION_CONFLICT);
            case "hang" -> {
                String timeout = s.optional("timeout", null);
                if (timeout == null) {
                    yield ScsiFaultAction.Hang.forever();
                }
                // default: HARDWARE ERROR / INTERNAL TARGET FAILURE (SPC-5 Table 52), which
                // initiators do not retry
                String[] f = FaultSpec.fullSense(s.optional("sense", "HARDWARE_ERROR/44/00"));
                yield new ScsiFaultAction.Hang(
                        FaultSpec.duration("timeout", timeout),
                        FaultSpec.senseKey(f[0]),
                        FaultSpec.additional(f[1], f[2]));
            }
            case "short" ->
                    new ScsiFaultAction.ShortTransfer(
                            (int) s.number("bytes", 0, Integer.MAX_VALUE, true));
            case "corrupt" -> new ScsiFaultAction.CorruptRead();
            case "unit-attention" -> {
                String[] f = s.required("sense", "ASC/ASCQ, e.g. sense=2A/09").split("/");
                if (f.length != 2) {
                    throw new IllegalArgumentException(
                            "unit-attention needs sense=ASC/ASCQ, e.g. 2A/09");
                }
                yield new ScsiFaultAction.UnitAttention(FaultSpec.additional(f[0], f[1]));
            }
            case "delay" ->
                    new ScsiFaultAction.Delay(
                            FaultSpec.duration(
                                    "delay", s.required("delay", "a duration, e.g. delay=200ms")));
            case "alua" -> {
                int group = (int) s.number("group", 0, 0xFFFF, true);
                AccessState state =
                        AccessState.parse(
                                s.required("state", "an access state, e.g. state=unavailable"));
                String transition = s.optional("transition", null);
                boolean fails = s.flag("fails");
                if (fails && transition == null) {
                    throw new IllegalArgumentException("alua: fails needs a transition=DURATION");
                }
                if (transition != null && state == AccessState.TRANSITIONING) {
                    throw new IllegalArgumentException(
                            "alua: a transition ends in a state other than transitioning");
                }
                yield new ScsiFaultAction.AccessStateChange(
                        group,
                        state,
                        transition == null ? null : FaultSpec.duration("transition", transition),
                        fails);
            }
            default -> throw new IllegalArgumentException("not a SCSI fault action: " + name);
        };
    }
}
