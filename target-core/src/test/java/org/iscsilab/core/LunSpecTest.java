package org.iscsilab.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.iscsilab.core.lu.UnitFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LUN specs as users type them, and the one sentence a mistake gets. */
class LunSpecTest {
    @Test
    void ramNullAndFileSpecsWithOptions() {
        assertEquals(
                new LunSpec("ram", null, 1L << 30, UnitFormat.of(512), false),
                LunSpec.parse("ram:1G"));
        assertEquals(
                new LunSpec("null", null, 1L << 40, new UnitFormat(4096, 4096, true, false), false),
                LunSpec.parse("null:1T,block=4096,ro"));
        assertEquals(
                new LunSpec(
                        "ram",
                        null,
                        1L << 30,
                        new UnitFormat(512, 4096, false, true, true, Duration.ofSeconds(2)),
                        false),
                LunSpec.parse("ram:1G,thin,physical=4096,removable,sanitize=2"));
        assertEquals(
                new LunSpec("file", Path.of("/tmp/d.img"), 10L << 30, UnitFormat.of(512), false),
                LunSpec.parse("file:/tmp/d.img:10G"));
        assertEquals(
                new LunSpec(
                        "file",
                        Path.of("/dev/sdx"),
                        0,
                        new UnitFormat(512, 512, true, false),
                        false),
                LunSpec.parse("file:/dev/sdx,ro"));
        assertEquals(
                new LunSpec("file", Path.of("/srv/golden.img"), 0, UnitFormat.of(512), true),
                LunSpec.parse("file:/srv/golden.img,overlay"));
    }

    @Test
    void mistakesAreNamedPrecisely() {
        assertTrue(message("tape:1G").contains("unknown kind 'tape' (known: ram, file, null)"));
        assertTrue(message("ram:1G,block=1024").contains("block must be 512 or 4096, not 1024"));
        assertTrue(message("ram:1G,fast").contains("unknown option 'fast'"));
        assertTrue(message("ram").contains("needs a kind and a size"));
        assertTrue(message("ram:big").contains("'big' is not a size"));
        assertTrue(message("ram:1G,physical=1000").contains("physical must be a power of two"));
        assertTrue(message("ram:1G,sanitize=soon").contains("needs a number"));
        assertTrue(message("ram:1G,overlay").contains("overlay is for file LUNs"));
        assertTrue(message("file:/srv/golden.img,overlay,ro").contains("overlay and ro together"));
    }

    @Test
    void anOverlayNeedsAFileThatExists(@TempDir Path dir) {
        LunSpec spec = LunSpec.parse("file:" + dir.resolve("missing.img") + ":1M,overlay");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, spec::requireUsable);
        assertTrue(
                e.getMessage().contains("an overlay lies over an existing file"), e.getMessage());
    }

    @Test
    void directIsAFileOptionAndNotWithAnOverlay() {
        LunSpec spec = LunSpec.parse("file:/srv/d.img:1G,direct,block=4096");
        assertTrue(spec.direct());
        assertTrue(message("ram:1G,direct").contains("direct (O_DIRECT) is for file LUNs"));
        assertTrue(
                message("file:/srv/golden.img,overlay,direct")
                        .contains("direct and overlay together"));
    }

    private static String message(String spec) {
        return assertThrows(IllegalArgumentException.class, () -> LunSpec.parse(spec)).getMessage();
    }

    @Test
    void everyOptionTheSyntaxListsIsOneTheParserTakes() {
        for (String option : LunSpec.OPTIONS.split(", ")) {
            String sample =
                    option.replace("512|4096", "4096")
                            .replace("BYTES", "8192")
                            .replace("SECONDS", "3");
            // throws on an option the parser does not know
            LunSpec.parse(
                    (option.equals("overlay") || option.equals("direct")
                                    ? "file:/srv/golden.img"
                                    : LunSpec.DEFAULT)
                            + ","
                            + sample);
        }
        LunSpec.parse(LunSpec.DEFAULT);
        assertTrue(
                LunSpec.SYNTAX.contains(LunSpec.KINDS) && LunSpec.SYNTAX.contains(LunSpec.OPTIONS));
    }
}
