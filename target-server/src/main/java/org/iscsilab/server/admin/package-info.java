/**
 * The admin HTTP API (faults, events, LUNs, sessions, /metrics), its one client and the event JSON.
 */
package org.iscsilab.server.admin;
