/**
 * The logical unit: its task set, command sets, unit attentions, medium and per-nexus state (SAM-5,
 * SBC-4).
 */
package org.iscsilab.core.lu;
