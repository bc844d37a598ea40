package org.iscsilab.core.pr;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.iscsilab.core.nexus.ItNexus;

/**
 * Where a logical unit's persistent reservations survive a restart when the last registration asked
 * for it with APTPL (SPC-4 §5.12.5): a small text file beside the LUN's backing file, replaced
 * atomically (write a temporary file, fsync it, rename it over, fsync the directory), so a crash
 * leaves either the old state or the new one.
 *
 * <pre>
 * generation 7
 * registration 00000000000000ab iqn.2026-01.org.example:a,i,0x000000000001 iqn.2026-01.org.iscsilab:t,t,0x1
 * reservation 1 iqn.2026-01.org.example:a,i,0x000000000001 iqn.2026-01.org.iscsilab:t,t,0x1
 * </pre>
 */
public final class AptplFile {
    /** The persisted state: registrations in registration order, and the reservation if any. */
    public record State(
            int generation,
            Map<ItNexus, Long> registrations,
            ItNexus holder,
            ReservationType type) {}

    private final Path path;

    public AptplFile(Path path) {
        this.path = path;
    }

    /** The file for a LUN backed by {@code image}: {@code image.pr} in the same directory. */
    public static AptplFile beside(Path image) {
        return new AptplFile(image.resolveSibling(image.getFileName() + ".pr"));
    }

    public Path path() {
        return path;
    }

    /** The saved state, or null when nothing is persisted. */
    public State load() throws IOException {
        if (!Files.exists(path)) {
            return null;
        }
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        int generation = 0;
        Map<ItNexus, Long> registrations = new LinkedHashMap<>();
        ItNexus holder = null;
        ReservationType type = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(" ");
            try {
                switch (f[0]) {
                    case "generation" -> generation = Integer.parseInt(f[1]);
                    case "registration" ->
                            registrations.put(
                                    new ItNexus(f[2], f[3]), Long.parseUnsignedLong(f[1], 16));
                    case "reservation" -> {
                        type = ReservationType.of(Integer.parseInt(f[1]));
                        holder = f.length > 2 ? new ItNexus(f[2], f[3]) : null;
                        if (type == null) {
                            throw new IllegalArgumentException("unknown reservation type " + f[1]);
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown entry '" + f[0] + "'");
                }
            } catch (RuntimeException e) {
                throw new IOException(
                        path
                                + " line "
                                + (i + 1)
                                + ": "
                                + e.getMessage()
                                + " (delete the file to start without persistent reservations)",
                        e);
            }
        }
        return new State(generation, registrations, holder, type);
    }

    /** Replaces the file with this state atomically and durably. */
    public void save(State state) throws IOException {
        StringBuilder sb =
                new StringBuilder(
                        "# persistent reservations of a LUN (SPC-4 APTPL); written by iscsilab\n");
        sb.append("generation ").append(state.generation()).append('\n');
        state.registrations()
                .forEach(
                        (n, k) ->
                                sb.append("registration ")
                                        .append(String.format("%016x", k))
                                        .append(' ')
                                        .append(n.initiatorPort())
                                        .append(' ')
                                        .append(n.targetPort())
                                        .append('\n'));
        if (state.type() != null) {
            sb.append("reservation ").append(state.type().code());
            if (state.holder() != null) {
                sb.append(' ')
                        .append(state.holder().initiatorPort())
                        .append(' ')
                        .append(state.holder().targetPort());
            }
            sb.append('\n');
        }
        Path dir = path.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
        try {
            try (FileChannel ch =
                    FileChannel.open(
                            temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(
                    temp,
                    path,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory(dir);
    }

    /** Persistence ended (APTPL cleared, or no registration left): the file goes. */
    public void delete() throws IOException {
        if (Files.deleteIfExists(path)) {
            syncDirectory(path.toAbsolutePath().getParent());
        }
    }

    /**
     * Makes the rename itself durable: fsync of the directory (Linux allows opening one for
     * reading).
     */
    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some platforms cannot open directories; the rename is still atomic there
        }
    }
}
