//! `Display` of the facade's value types honours width and alignment (`{:<10}`, `{:>10}`), so
//! they line up in tables like strings do.

use playflow::Region;
use playflow::model::{ComputeSize, ServerStatus};
use playflow::servers::{MetricsPeriod, MetricsStep};

#[test]
fn regions_open_enums_endpoints_and_metrics_values_pad_like_strings() {
    assert_eq!(format!("[{:<10}]", Region::EU_WEST), "[eu-west   ]");
    assert_eq!(
        format!("[{:>10}]", Region::from("me-central-2")),
        "[me-central-2]"
    );
    assert_eq!(format!("[{:^9}]", Region::SEA), "[   sea   ]");

    assert_eq!(format!("[{:<10}]", ServerStatus::Running), "[running   ]");
    assert_eq!(format!("[{:>10}]", ComputeSize::Small), "[     small]");
    // A value this version does not know pads the same way.
    assert_eq!(
        format!("[{:>10}]", ComputeSize::from("gpu-xl")),
        "[    gpu-xl]"
    );
    assert_eq!(format!("[{:.3}]", ServerStatus::Running), "[run]");

    assert_eq!(format!("[{:<5}]", MetricsPeriod::Hour), "[1h   ]");
    assert_eq!(format!("[{:>5}]", MetricsStep::Minute), "[  60s]");

    let server: playflow::model::Server = serde_json::from_value(serde_json::json!({
        "instance_id": "s", "name": "n", "status": "running",
        "network_ports": [
            { "name": "game", "external_port": 30001, "host": "203.0.113.10" },
            { "name": "v6", "external_port": 30002, "host": "2001:db8::1" }
        ]
    }))
    .unwrap();
    let endpoints = server.endpoints();
    let game = endpoints.get("game").unwrap();
    assert_eq!(format!("[{game:<20}]"), "[203.0.113.10:30001  ]");
    assert_eq!(format!("[{game:>20}]"), "[  203.0.113.10:30001]");
    let v6 = endpoints.get("v6").unwrap();
    assert_eq!(format!("[{v6:>21}]"), "[  [2001:db8::1]:30002]");
}
