package org.iscsilab.guest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A kernel image with the iSCSI initiator built in, as a file: its release read from the image
 * itself, and where known the offset of {@code sdev_state} in its {@code struct scsi_device}, which
 * the guest's kprobe events need to read a device's state (the sysfs file is gone while a device is
 * being removed on 4.9).
 */
public record KernelImage(Path file, String release, String sha256, OptionalInt sdevStateOffset) {
    /**
     * Offsets read off a build's disassembly (the first load in {@code device_unblock}), by the
     * image's SHA-256; they differ per build and configuration.
     */
    private static final Map<String, Integer> KNOWN_SDEV_STATE_OFFSETS =
            Map.of(
                    // Linux 4.9.337, the image docs/linux-guest.md describes
                    "205a06de4527a0a3100f575e9e789f2b21345ff49f63f77b72bc4a6343ff64d4", 0x794);

    /**
     * Reads an image: its release from the x86 boot protocol's setup header ({@code
     * kernel_version}, a pointer at 0x20E to a string 0x200 further on), its hash, and the offset
     * of {@code sdev_state} from the table above or from a file beside the image named
     * IMAGE.sdev_state_offset (a number such as 0x794).
     */
    public static KernelImage read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String sha = sha256(bytes);
        return new KernelImage(file, release(file, bytes), sha, offset(file, sha));
    }

    static String release(Path file, byte[] image) {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        boolean bzImage =
                image.length > 0x210
                        && b.getShort(0x1FE) == (short) 0xAA55
                        && b.getInt(0x202) == 0x53726448; // "HdrS"
        if (!bzImage) {
            throw new GuestException(file + " is not an x86 bzImage (no HdrS setup header)");
        }
        int at = (b.getShort(0x20E) & 0xFFFF) + 0x200;
        int end = at;
        while (end < image.length && image[end] != 0 && image[end] != ' ') {
            end++;
        }
        if (end == at || end >= image.length) {
            throw new GuestException(file + " names no kernel version in its setup header");
        }
        return new String(image, at, end - at, StandardCharsets.US_ASCII);
    }

    private static OptionalInt offset(Path file, String sha256) throws IOException {
        Path beside = file.resolveSibling(file.getFileName() + ".sdev_state_offset");
        if (Files.isRegularFile(beside)) {
            return OptionalInt.of(Integer.decode(Files.readString(beside).trim()));
        }
        Integer known = KNOWN_SDEV_STATE_OFFSETS.get(sha256);
        return known == null ? OptionalInt.empty() : OptionalInt.of(known);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The series, e.g. "4.9" of "4.9.337". */
    public String series() {
        String[] parts = release.split("\\.");
        return parts.length < 2 ? release : parts[0] + "." + parts[1];
    }
}
