package org.iscsilab.iscsi.initiator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** libiscsi's URL form, as users type it and as the target prints it. */
class IscsiUrlTest {
    @Test
    void theFormsLibiscsiAccepts() {
        assertEquals(
                new IscsiUrl("127.0.0.1", 3260, "iqn.2026-01.org.example:t", 0),
                IscsiUrl.parse("iscsi://127.0.0.1/iqn.2026-01.org.example:t/0"));
        assertEquals(
                new IscsiUrl("host", 3261, "iqn.x:y", 7),
                IscsiUrl.parse("iscsi://host:3261/iqn.x:y/7"));
        assertEquals(
                new IscsiUrl("::1", 3262, "iqn.x:y", -1),
                IscsiUrl.parse("iscsi://[::1]:3262/iqn.x:y"));
    }

    @Test
    void printedAsParsed() {
        for (String url :
                new String[] {
                    "iscsi://127.0.0.1:3260/iqn.x:y/0",
                    "iscsi://[::1]:3262/iqn.x:y",
                    "iscsi://h:1/iqn.x:y/16383"
                }) {
            assertEquals(url, IscsiUrl.parse(url).toString());
        }
        assertEquals(
                "iscsi://127.0.0.1:4000/iqn.x:y/2",
                IscsiUrl.of(new InetSocketAddress("127.0.0.1", 4000), "iqn.x:y", 2).toString());
    }

    @Test
    void mistakesNameTheForm() {
        for (String bad :
                new String[] {
                    "http://h/iqn.x:y/0",
                    "iscsi://h",
                    "iscsi://h/",
                    "iscsi://h/iqn/0/1",
                    "iscsi:///iqn/0",
                    "not a url"
                }) {
            String m =
                    assertThrows(IllegalArgumentException.class, () -> IscsiUrl.parse(bad), bad)
                            .getMessage();
            assertTrue(m.contains("iscsi://HOST[:PORT]/IQN/LUN"), m);
        }
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () -> IscsiUrl.parse("iscsi://h/iqn.x:y/zero"))
                        .getMessage()
                        .contains("'zero' is not a LUN number"));
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () -> IscsiUrl.parse("iscsi://h/iqn.x:y/16384"))
                        .getMessage()
                        .contains("out of range"));
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () -> IscsiUrl.parse("iscsi://h/iqn.x:y").requireLun())
                        .getMessage()
                        .contains("names no LUN"));
    }
}
