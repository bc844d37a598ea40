package org.iscsilab.core.pr;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.iscsilab.core.log.TargetLog;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.core.nexus.UnitAttentions;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseException;
import org.iscsilab.scsi.SenseKey;
import org.slf4j.Logger;

/**
 * The reservation state of one logical unit: an SPC-2 reservation (SPC-2 §7.21) or persistent
 * registrations and a persistent reservation (SPC-4 §5.12). Every rule about who may do what is
 * enforced here; all methods are atomic with respect to each other.
 */
public final class Reservations {
    /** Thrown to end a command with RESERVATION CONFLICT status. */
    public static final class ConflictException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ConflictException(String why) {
            super(why, null, false, false);
        }
    }

    private static final Logger log = TargetLog.get(Reservations.class);
    private final UnitAttentions unitAttentions;
    private AptplFile aptplFile;
    private ItNexus spc2Holder;
    private final Map<ItNexus, Long> registrations = new LinkedHashMap<>();
    private ItNexus holder;
    private ReservationType type;
    private int generation;
    private boolean aptpl;

    /**
     * No reservation and no registration: no command can conflict, and {@link #checkAccess} answers
     * without taking the lock (it is on every command's path). Every method that may create state
     * clears it first, under the lock; a locked check sets it again once all is gone.
     */
    private volatile boolean idle = true;

    public Reservations(UnitAttentions unitAttentions) {
        this.unitAttentions = unitAttentions;
    }

    // ---- persistence through power loss (SPC-4 §5.12.5) ----

    /**
     * Keeps registrations and the reservation in this file while the last REGISTER asked for APTPL,
     * and restores what the file holds now (the state of before a restart).
     */
    public synchronized void persistIn(AptplFile file) throws IOException {
        idle = false;
        this.aptplFile = file;
        AptplFile.State saved = file.load();
        if (saved != null) {
            registrations.clear();
            registrations.putAll(saved.registrations());
            type = saved.type();
            holder = saved.holder();
            generation = saved.generation();
            aptpl = true;
        }
    }

    /** Called after every change by PERSISTENT RESERVE OUT: save with APTPL, forget without. */
    private void persist() {
        if (aptplFile == null) {
            return;
        }
        try {
            if (aptpl && !registrations.isEmpty()) {
                aptplFile.save(
                        new AptplFile.State(
                                generation, new LinkedHashMap<>(registrations), holder, type));
            } else {
                aptplFile.delete();
            }
        } catch (IOException e) {
            log.error(
                    "persistent reservations could not be saved to {}: {}",
                    aptplFile.path(),
                    e.toString());
        }
    }

    // ---- access checks (SPC-4 §5.12.1, SPC-2 §5.5.1) ----

    /** Throws ConflictException when a reservation through another nexus forbids this access. */
    public void checkAccess(ItNexus nexus, AccessClass access) {
        if (access == AccessClass.ALWAYS || idle) {
            return;
        }
        checkHeldAccess(nexus, access);
    }

    private synchronized void checkHeldAccess(ItNexus nexus, AccessClass access) {
        if (spc2Holder == null && type == null && registrations.isEmpty()) {
            idle = true; // everything was released since: the next checks need no lock
            return;
        }
        if (spc2Holder != null && !spc2Holder.equals(nexus)) {
            if (access == AccessClass.SPC2_RESERVATION) {
                return; // RESERVE conflicts in reserve(); RELEASE from another nexus is a no-op
            }
            throw new ConflictException("reserved (SPC-2) through " + spc2Holder);
        }
        if (access == AccessClass.SPC2_RESERVATION) {
            if (!registrations
                    .isEmpty()) { // SPC-4 §5.12.3: no SPC-2 reservations beside persistent ones
                throw new ConflictException("persistent registrations exist");
            }
            return;
        }
        if (access == AccessClass.PERSISTENT_RESERVE) {
            if (spc2Holder != null && !spc2Holder.equals(nexus)) {
                throw new ConflictException("reserved (SPC-2)");
            }
            return;
        }
        if (type == null || holds(nexus)) {
            return;
        }
        boolean registered = registrations.containsKey(nexus);
        if (type.registrantsHaveAccess() && registered) {
            return;
        }
        if (access == AccessClass.READ && !type.exclusiveAccess()) {
            return; // write exclusive types let everyone read
        }
        throw new ConflictException(
                "persistent reservation " + type + " held through another I_T nexus");
    }

    private boolean holds(ItNexus nexus) {
        return type != null
                && (type.allRegistrants()
                        ? registrations.containsKey(nexus)
                        : nexus.equals(holder));
    }

    // ---- SPC-2 RESERVE / RELEASE ----

    public synchronized void reserve(ItNexus nexus) {
        idle = false;
        if (spc2Holder != null && !spc2Holder.equals(nexus)) {
            throw new ConflictException("reserved through " + spc2Holder);
        }
        spc2Holder = nexus;
    }

    /** SPC-2 §7.23: releasing a reservation held by another nexus, or none, is a no-op. */
    public synchronized void release(ItNexus nexus) {
        if (nexus.equals(spc2Holder)) {
            spc2Holder = null;
        }
    }

    /** LOGICAL UNIT RESET and I_T nexus loss end SPC-2 reservations (SPC-2 §5.5.1); PRs persist. */
    public synchronized void reset() {
        spc2Holder = null;
    }

    public synchronized void nexusLost(ItNexus nexus) {
        if (nexus.equals(spc2Holder)) {
            spc2Holder = null;
        }
    }

    // ---- PERSISTENT RESERVE OUT (SPC-4 §6.16) ----

    private long registeredKey(ItNexus nexus, long reservationKey) {
        Long key = registrations.get(nexus);
        if (key == null || key != reservationKey) {
            throw new ConflictException(
                    "RESERVATION KEY does not match this I_T nexus' registration");
        }
        return key;
    }

    /**
     * REGISTER (ignore=false) and REGISTER AND IGNORE EXISTING KEY (ignore=true), SPC-4 §5.12.7.
     */
    public synchronized void register(
            ItNexus nexus,
            long reservationKey,
            long serviceActionKey,
            boolean ignore,
            boolean aptplRequested) {
        idle = false;
        try {
            Long current = registrations.get(nexus);
            if (current == null) {
                if (!ignore && reservationKey != 0) {
                    throw new ConflictException("not registered, but RESERVATION KEY is not zero");
                }
                if (serviceActionKey != 0) {
                    registrations.put(nexus, serviceActionKey);
                    generation++;
                    aptpl = aptplRequested;
                }
                return;
            }
            if (!ignore && current != reservationKey) {
                throw new ConflictException("RESERVATION KEY does not match the registered key");
            }
            if (serviceActionKey == 0) {
                unregister(nexus);
            } else {
                registrations.put(nexus, serviceActionKey);
                aptpl = aptplRequested;
            }
            generation++;
        } finally {
            persist();
        }
    }

    /** Removes a registration; the holder's removal releases the reservation (SPC-4 §5.12.11.2). */
    private void unregister(ItNexus nexus) {
        registrations.remove(nexus);
        if (type == null) {
            return;
        }
        if (type.allRegistrants()) {
            if (registrations.isEmpty()) {
                clearReservation();
            }
        } else if (nexus.equals(holder)) {
            ReservationType released = type;
            clearReservation();
            if (released.registrantsHaveAccess()) {
                // SPC-4 §5.12.11.2: registrants-only types tell the remaining registrants
                notifyRegistrants(null, AdditionalSense.RESERVATIONS_RELEASED);
            }
        }
    }

    /**
     * REGISTER AND MOVE (SPC-4 §5.12.8): the holder registers another I_T nexus with the service
     * action key and hands it the reservation, optionally unregistering itself.
     */
    public synchronized void registerAndMove(
            ItNexus nexus,
            long reservationKey,
            long serviceActionKey,
            ItNexus destination,
            boolean unregister,
            boolean aptplRequested) {
        idle = false;
        try {
            registeredKey(nexus, reservationKey);
            if (type == null || type.allRegistrants() || !nexus.equals(holder)) {
                throw new ConflictException(
                        "REGISTER AND MOVE needs a reservation held by this I_T nexus alone");
            }
            if (serviceActionKey == 0) {
                throw new SenseException(
                        SenseData.illegalRequest(
                                AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST,
                                SenseData.FieldPointer.parameterByte(8)));
            }
            if (destination.equals(nexus)) { // the reservation cannot move to where it is
                throw new SenseException(
                        SenseData.illegalRequest(
                                AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST,
                                SenseData.FieldPointer.parameterByte(24)));
            }
            registrations.put(destination, serviceActionKey);
            holder = destination;
            if (unregister) {
                registrations.remove(nexus);
            }
            aptpl = aptplRequested;
            generation++;
        } finally {
            persist();
        }
    }

    public synchronized void reserve(
            ItNexus nexus, long reservationKey, ReservationType requested) {
        idle = false;
        try {
            registeredKey(nexus, reservationKey);
            if (type == null) {
                type = requested;
                holder = nexus;
                return;
            }
            if (holds(nexus) && type == requested) {
                return; // SPC-4 §5.12.9: reserving again the same way changes nothing
            }
            throw new ConflictException("a persistent reservation is already held");
        } finally {
            persist();
        }
    }

    public synchronized void release(
            ItNexus nexus, long reservationKey, ReservationType requested) {
        try {
            registeredKey(nexus, reservationKey);
            if (type == null || !holds(nexus)) {
                return; // SPC-4 §5.12.11.2: nothing to release for this nexus
            }
            if (type != requested) {
                throw new SenseException(
                        SenseData.of(
                                SenseKey.ILLEGAL_REQUEST,
                                AdditionalSense.INVALID_RELEASE_OF_PERSISTENT_RESERVATION));
            }
            ReservationType released = type;
            clearReservation();
            if (released.registrantsHaveAccess()) {
                notifyRegistrants(nexus, AdditionalSense.RESERVATIONS_RELEASED);
            }
        } finally {
            persist();
        }
    }

    public synchronized void clear(ItNexus nexus, long reservationKey) {
        try {
            registeredKey(nexus, reservationKey);
            notifyRegistrants(nexus, AdditionalSense.RESERVATIONS_PREEMPTED);
            registrations.clear();
            clearReservation();
            generation++;
        } finally {
            persist();
        }
    }

    /**
     * PREEMPT and PREEMPT AND ABORT (SPC-4 §5.12.11.4): removes the registrations with the service
     * action key and, when they held the reservation, takes it over. Returns the nexuses preempted
     * (whose tasks PREEMPT AND ABORT aborts).
     */
    public synchronized List<ItNexus> preempt(
            ItNexus nexus, long reservationKey, long serviceActionKey, ReservationType requested) {
        idle = false;
        try {
            registeredKey(nexus, reservationKey);
            List<ItNexus> preempted = new ArrayList<>();
            boolean allRegistrantsReservation = type != null && type.allRegistrants();
            if (type == null
                    || (allRegistrantsReservation && serviceActionKey != 0)
                    || (!allRegistrantsReservation
                            && serviceActionKey != registrations.get(holder))) {
                // only registrations go (SPC-4 §5.12.11.4.3)
                if (serviceActionKey == 0) {
                    throw new SenseException(
                            SenseData.illegalRequest(
                                    AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST,
                                    SenseData.FieldPointer.parameterByte(8)));
                }
                removeKey(serviceActionKey, nexus, preempted);
                if (preempted.isEmpty()) {
                    throw new ConflictException("no registration with the service action key");
                }
            } else {
                // the reservation holder(s) are preempted: all of them, or all but us for key 0
                if (allRegistrantsReservation) {
                    for (ItNexus n : List.copyOf(registrations.keySet())) {
                        if (!n.equals(nexus)) {
                            registrations.remove(n);
                            preempted.add(n);
                        }
                    }
                } else {
                    removeKey(serviceActionKey, nexus, preempted);
                }
                type = requested;
                holder = nexus;
            }
            for (ItNexus n : preempted) {
                unitAttentions.establish(n, AdditionalSense.REGISTRATIONS_PREEMPTED);
            }
            generation++;
            return preempted;
        } finally {
            persist();
        }
    }

    private void removeKey(long key, ItNexus except, List<ItNexus> removed) {
        for (Map.Entry<ItNexus, Long> e : List.copyOf(registrations.entrySet())) {
            if (e.getValue() == key && !e.getKey().equals(except)) {
                registrations.remove(e.getKey());
                removed.add(e.getKey());
            }
        }
    }

    private void clearReservation() {
        type = null;
        holder = null;
    }

    private void notifyRegistrants(ItNexus except, AdditionalSense condition) {
        for (ItNexus n : registrations.keySet()) {
            if (!n.equals(except)) {
                unitAttentions.establish(n, condition);
            }
        }
    }

    // ---- PERSISTENT RESERVE IN views ----

    public synchronized int generation() {
        return generation;
    }

    public synchronized List<Registration> registrations() {
        List<Registration> out = new ArrayList<>();
        registrations.forEach((n, k) -> out.add(new Registration(n, k)));
        return out;
    }

    public synchronized ReservationType type() {
        return type;
    }

    /** The holder's key, 0 for all-registrants reservations (SPC-4 §6.15.3.3). */
    public synchronized long reservationKey() {
        if (type == null || type.allRegistrants()) {
            return 0;
        }
        return registrations.getOrDefault(holder, 0L);
    }

    public synchronized boolean isHolder(ItNexus nexus) {
        return holds(nexus);
    }

    public synchronized boolean aptpl() {
        return aptpl;
    }
}
