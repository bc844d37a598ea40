/**
 * Login and negotiation (RFC 7143 §6, §12, §13): the key table, the negotiation engine, CHAP and
 * SRP.
 */
package org.iscsilab.iscsi.login;
