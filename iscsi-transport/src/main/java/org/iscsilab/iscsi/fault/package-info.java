/**
 * The transport's fault actions (connection and login) in the one rule language, and their words.
 */
package org.iscsilab.iscsi.fault;
