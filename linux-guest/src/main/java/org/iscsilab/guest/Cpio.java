package org.iscsilab.guest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * Writes a cpio archive in the "newc" format the kernel unpacks into its initramfs
 * (Documentation/driver-api/early-userspace/buffer-format.rst). Archives appended to an initramfs
 * are unpacked after it, so a run adds its files without rebuilding the image.
 */
final class Cpio {
    private Cpio() {}

    /**
     * Regular files at the root, name to content; executable when {@code executable} holds the
     * name.
     */
    static byte[] newc(Map<String, byte[]> files, Set<String> executable) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int ino = 1;
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            int mode = executable.contains(f.getKey()) ? 0100755 : 0100644;
            entry(out, ino++, mode, f.getKey(), f.getValue());
        }
        entry(out, 0, 0, "TRAILER!!!", new byte[0]);
        return out.toByteArray();
    }

    private static void entry(
            ByteArrayOutputStream out, int ino, int mode, String name, byte[] data) {
        byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.US_ASCII);
        StringBuilder h = new StringBuilder("070701");
        long[] fields = {ino, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, nameBytes.length, 0};
        for (long v : fields) {
            h.append(String.format("%08X", v));
        }
        out.writeBytes(h.toString().getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(nameBytes);
        pad(out);
        out.writeBytes(data);
        pad(out);
    }

    private static void pad(ByteArrayOutputStream out) {
        while (out.size() % 4 != 0) {
            out.write(0);
        }
    }
}
