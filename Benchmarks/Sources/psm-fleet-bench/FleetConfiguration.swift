import Foundation

/// The psm.toml every actuator of the fleet reads: the same groups, hosts, costs and lease, and
/// its own `id` (a restarted process is a new actuator, as a new pid gives by default).
struct FleetConfiguration {
    let store: String
    let registry: String
    let hostURIs: [String]
    let groups: [String]
    let lease: Int64

    func text(id: String) -> String {
        var out = """
        # Written by psm-fleet-bench (bench/fleet.sh).
        [actuator]
        id = "\(id)"
        store = "\(store)"
        lease = "\(lease)s"
        registry = "\(registry)"
        interval = 1
        horizon = 1
        max_actions = 400
        host_grace = "24h"
        # Libvirt's default test node has 16 CPUs: 256 vCPUs of 1-vCPU shadows per host.
        cpu_allocation_ratio = 16

        [actuator.costs]
        miss = 10
        reserve = 0.5
        launch_delay = 1

        [actuator.sizing]
        lead_time = 1
        cooldown = 0

        [actuator.trigger]
        utilisation = 0.8
        activation_lead_time = 0

        [actuator.cost_loop]
        scale_in_utilisation = 0.5
        scale_in_window = 0


        """
        for (i, uri) in hostURIs.enumerated() {
            // The test driver reports 3 MiB free on its 3 GiB node, whatever its domains hold: not a host figure.
            out += "[[actuator.hosts]]\nname = \"h\(i + 1)\"\nuri = \"\(uri)\"\nunits = 100000\nfree_memory = false\n\n"
        }
        for g in groups {
            out += "[[actuator.groups]]\nname = \"\(g)\"\nunit = 1\nvcpus = 1\nmemory_mib = 16\nrunning = 1\nmin = 1\nmax = 1\n\n"
        }
        return out
    }
}
