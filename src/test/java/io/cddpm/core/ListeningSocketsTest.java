package io.cddpm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The /proc reader the "nothing but loopback listens" tests rely on: it must see a wildcard bind. */
class ListeningSocketsTest {
    @Test
    void decodesProcAddresses() {
        assertTrue(ListeningSockets.decode(1, "0100007F", 80).loopback());
        assertEquals("127.0.0.1", ListeningSockets.decode(1, "0100007F", 80).address());
        assertFalse(ListeningSockets.decode(1, "00000000", 80).loopback());
        assertTrue(ListeningSockets.decode(1, "00000000000000000000000001000000", 80).loopback(), "::1");
        assertFalse(ListeningSockets.decode(1, "00000000000000000000000000000000", 80).loopback(), "::");
        assertTrue(ListeningSockets.decode(1, "0000000000000000FFFF00000100007F", 80).loopback(), "::ffff:127.0.0.1");
    }

    @Test
    void seesThisProcessListening() throws Exception {
        Assumptions.assumeTrue(ListeningSockets.supported(), "needs Linux /proc");
        try (ServerSocket any = new ServerSocket(); ServerSocket local = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            any.bind(new InetSocketAddress(0));
            List<ListeningSockets.Listener> listeners = ListeningSockets.of(ProcessHandle.current());
            assertTrue(listeners.stream().anyMatch(l -> l.port() == any.getLocalPort() && !l.loopback()), listeners.toString());
            assertTrue(listeners.stream().anyMatch(l -> l.port() == local.getLocalPort() && l.loopback()), listeners.toString());
        }
    }
}
