package org.iscsilab.iscsi.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The originator checks each answer against its offer (RFC 7143 §6.2). */
class OfferTest {
    @Test
    void validAnswersBecomeResults() throws Exception {
        Offer o =
                new Offer()
                        .put(Keys.MAX_BURST_LENGTH, "262144")
                        .put(Keys.HEADER_DIGEST, "CRC32C,None");
        o.accept(
                List.of(
                        Map.entry(Keys.MAX_BURST_LENGTH, "65536"),
                        Map.entry(Keys.HEADER_DIGEST, "CRC32C"),
                        Map.entry(Keys.MAX_RECV_DATA_SEGMENT_LENGTH, "131072")));
        assertEquals("65536", o.result(Keys.MAX_BURST_LENGTH));
        assertEquals("CRC32C", o.result(Keys.HEADER_DIGEST));
        assertEquals("131072", o.declared(Keys.MAX_RECV_DATA_SEGMENT_LENGTH));
    }

    @Test
    void anAnswerLargerThanANumericalMinimumOfferIsAnError() {
        Offer o = new Offer().put(Keys.MAX_BURST_LENGTH, "65536");
        assertThrows(
                LoginException.class,
                () -> o.accept(List.of(Map.entry(Keys.MAX_BURST_LENGTH, "262144"))));
    }

    @Test
    void anAnswerNotInTheOfferedListIsAnError() {
        Offer o = new Offer().put(Keys.DATA_DIGEST, "None");
        assertThrows(
                LoginException.class,
                () -> o.accept(List.of(Map.entry(Keys.DATA_DIGEST, "CRC32C"))));
    }

    @Test
    void aRejectedKeyKeepsItsDefault() throws Exception {
        Offer o = new Offer().put(Keys.MAX_OUTSTANDING_R2T, "4");
        o.accept(List.of(Map.entry(Keys.MAX_OUTSTANDING_R2T, "Reject")));
        assertEquals("1", o.result(Keys.MAX_OUTSTANDING_R2T));
    }
}
