package org.iscsilab.host.scenario;

import java.util.List;

/**
 * What one {@link MultipathCase} did to a writer behind a multipath device, on one host.
 *
 * @param caseId the case, e.g. M2-portal-frozen
 * @param host "java" or "linux-vm"
 * @param kernel the guest kernel's release, or the Java host's policy
 * @param outcome COMPLETED when the case held: writes went on (or, with no path left, waited and
 *     none completed), no I/O error reached the writer, writes resumed after the restore and every
 *     path came back
 * @param writesWhileBroken acknowledged writes counted while the paths were broken
 * @param longestPauseMillis the longest time between two acknowledged writes during the case
 * @param ioErrors write errors that reached the writer during the case
 * @param resumed whether writes came again after the restore
 * @param topologyWhileBroken the paths while broken ({@code multipath -ll} on Linux)
 * @param topologyRestored the paths after the restore
 * @param findings what went wrong, if anything
 */
public record MultipathReport(
        String caseId,
        String host,
        String kernel,
        ScenarioReport.Outcome outcome,
        int writesWhileBroken,
        long longestPauseMillis,
        int ioErrors,
        boolean resumed,
        List<String> topologyWhileBroken,
        List<String> topologyRestored,
        List<String> findings) {

    /**
     * A whole run: the cases in order, then the check of every block the writer wrote.
     *
     * @param cases one report per case
     * @param written where the writer stopped, so anyone can check the blocks again
     * @param blocksVerified blocks that held the last stamp acknowledged for them
     * @param mismatches blocks that did not, each "block N: want ..., got ..."
     * @param topologyAtStart the paths before the first case
     */
    public record Run(
            List<MultipathReport> cases,
            StampedBlocks written,
            int blocksVerified,
            List<String> mismatches,
            List<String> topologyAtStart) {
        /** Every case completed and every block verified. */
        public boolean passed() {
            return mismatches.isEmpty()
                    && blocksVerified > 0
                    && cases.stream()
                            .allMatch(c -> c.outcome() == ScenarioReport.Outcome.COMPLETED);
        }
    }
}
