package org.iscsilab.server.admin;

import java.io.IOException;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.scsi.SenseException;

/**
 * A PATCH of one LUN, checked whole before any of it is applied, then applied all or nothing: the
 * medium first, write protection next, the size last (the one step that can fail on I/O, after
 * which the others are undone). A shrink is never undone by growing again, since that would not
 * bring the cut blocks back, so it goes last.
 */
final class LunChange {
    private final LogicalUnit lu;
    private final Long size;
    private final Boolean readOnly;
    private final Boolean load;

    private LunChange(LogicalUnit lu, Long size, Boolean readOnly, Boolean load) {
        this.lu = lu;
        this.size = size;
        this.readOnly = readOnly;
        this.load = load;
    }

    /** Checks the request against the unit; throws before anything changes. */
    static LunChange of(LogicalUnit lu, RequestBody req) {
        if (req.isEmpty()) {
            throw ApiException.badRequest(
                    "give at least one of "
                            + RequestBody.fieldNames(
                                    Endpoints.find("PATCH", Endpoints.BASE + "luns/{lun}"))
                            + ", e.g. {\"size\":\"2G\"}");
        }
        Long size = null;
        if (req.has("size")) {
            size = req.size("size");
            if (size % lu.blockSize() != 0) {
                throw ApiException.badRequest(
                        "size "
                                + size
                                + " is not a multiple of LUN "
                                + lu.lun()
                                + "'s "
                                + lu.blockSize()
                                + "-byte block");
            }
        }
        Boolean readOnly = req.has("readOnly") ? req.bool("readOnly") : null;
        Boolean load = null;
        if (req.has("medium")) {
            String m = req.string("medium");
            if (!m.equals("eject") && !m.equals("load")) {
                throw ApiException.badRequest(
                        "field 'medium' must be \"eject\" or \"load\", not \"" + m + "\"");
            }
            if (!lu.removable()) {
                throw new ApiException(
                        409, "LUN " + lu.lun() + " is not removable (add it with ,removable)");
            }
            if (lu.medium().prevented()) {
                throw new ApiException(
                        409,
                        "an initiator prevents medium removal from LUN "
                                + lu.lun()
                                + " (PREVENT ALLOW MEDIUM REMOVAL); it must allow it first");
            }
            load = m.equals("load");
        }
        return new LunChange(lu, size, readOnly, load);
    }

    /** Applies the change; on failure undoes what it applied and throws a 409. */
    void apply() {
        boolean wasReadOnly = lu.readOnly();
        boolean wasPresent = lu.removable() && lu.medium().present();
        try {
            if (load != null) {
                lu.medium().loadOrEject(null, load);
            }
            if (readOnly != null) {
                lu.setReadOnly(readOnly);
            }
            if (size != null) {
                lu.resize(size);
            }
        } catch (IOException | SenseException e) {
            undo(wasReadOnly, wasPresent);
            String why = e instanceof SenseException s ? s.sense().toString() : e.getMessage();
            throw new ApiException(409, "LUN " + lu.lun() + " unchanged: " + why);
        }
    }

    private void undo(boolean wasReadOnly, boolean wasPresent) {
        if (readOnly != null) {
            lu.setReadOnly(wasReadOnly);
        }
        if (load != null && lu.medium().present() != wasPresent) {
            lu.medium().loadOrEject(null, wasPresent);
        }
    }
}
