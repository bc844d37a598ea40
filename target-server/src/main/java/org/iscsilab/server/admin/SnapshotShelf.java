package org.iscsilab.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.LogicalUnit.MediumImage;

/**
 * The LUN snapshots taken through the admin API, by number, until they are dropped: what lets a
 * test suite against a target in another process start each test from a known disk.
 */
final class SnapshotShelf {
    /** One copy of one LUN's medium; {@code unit} tells whether that LUN is still the same one. */
    record Snapshot(int id, String target, int lun, LogicalUnit unit, MediumImage image) {
        ObjectNode json(ObjectMapper json) {
            ObjectNode n = json.createObjectNode();
            n.put("id", id);
            n.put("target", target);
            n.put("lun", lun);
            n.put("bytes", image.store().capacityBytes());
            return n;
        }
    }

    private final AtomicInteger lastId = new AtomicInteger();
    private final Map<Integer, Snapshot> shelf = new ConcurrentSkipListMap<>();

    /** Copies the unit's medium now, under its exclusive lock, and numbers the copy. */
    Snapshot take(String target, LogicalUnit unit) {
        Snapshot s =
                new Snapshot(
                        lastId.incrementAndGet(), target, unit.lun(), unit, unit.snapshotMedium());
        shelf.put(s.id(), s);
        return s;
    }

    Snapshot get(int id) {
        return shelf.get(id);
    }

    void drop(int id) {
        shelf.remove(id);
    }

    ArrayNode list(ObjectMapper json) {
        ArrayNode a = json.createArrayNode();
        shelf.values().forEach(s -> a.add(s.json(json)));
        return a;
    }
}
