package org.iscsilab.core.pr;

import org.iscsilab.core.nexus.ItNexus;

/** One registered I_T nexus and its reservation key (SPC-4 §5.12.7). */
public record Registration(ItNexus nexus, long key) {}
