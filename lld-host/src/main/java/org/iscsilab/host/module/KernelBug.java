package org.iscsilab.host.module;

/**
 * A BUG() the modelled kernel hits: the task that hits it oopses and dies where it stands, holding
 * whatever it held, so what it was doing never finishes. Thrown by the model where the kernel's
 * code calls BUG(); {@link #site()} names the function and file.
 */
public final class KernelBug extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String site;

    public KernelBug(String site, String why) {
        super("kernel BUG in " + site + ": " + why);
        this.site = site;
    }

    /** The function (and header or source file) whose BUG() fired. */
    public String site() {
        return site;
    }
}
