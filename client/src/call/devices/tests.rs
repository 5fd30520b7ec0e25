//! Host tests of device choice: stored preferences, matching by id then label, and the
//! fallback when the device in use disappears.

use super::*;

fn cam(id: &str, label: &str) -> Device {
    Device {
        kind: DeviceKind::Camera,
        id: id.to_owned(),
        label: label.to_owned(),
    }
}

fn pref(id: &str, label: &str) -> Preference {
    Preference {
        id: id.to_owned(),
        label: label.to_owned(),
    }
}

#[test]
fn a_preference_round_trips_through_storage() {
    let p = pref("abc123", "Logitech C920 (046d:082d)");
    assert_eq!(Preference::from_stored(&p.to_stored()), Some(p));
    assert_eq!(Preference::from_stored("no newline"), None);
    assert_eq!(Preference::from_stored("\nlabel only"), None);
}

#[test]
fn the_preference_is_found_by_id_then_by_label() {
    let list = [cam("a", "Front"), cam("b", "Back")];
    assert_eq!(
        preferred(&list, Some(&pref("b", "Old name"))),
        Some(&list[1])
    );
    // The id changed (site data cleared): the label still finds it.
    assert_eq!(preferred(&list, Some(&pref("zzz", "Back"))), Some(&list[1]));
    assert_eq!(preferred(&list, Some(&pref("zzz", "Gone"))), None);
    // An empty label matches nothing (labels are empty before permission).
    assert_eq!(preferred(&[cam("a", "")], Some(&pref("zzz", ""))), None);
    assert_eq!(preferred(&list, None), None);
}

#[test]
fn the_default_is_the_default_alias_else_the_first() {
    let list = [cam("x", "One"), cam("default", "Default - Two")];
    assert_eq!(default_device(&list), Some(&list[1]));
    assert_eq!(default_device(&list[..1]), Some(&list[0]));
    assert_eq!(default_device(&[]), None);
}

#[test]
fn the_picker_shows_the_device_in_use_first() {
    let list = [cam("a", "Front"), cam("b", "Back")];
    assert_eq!(
        selected(&list, Some("b"), Some(&pref("a", ""))),
        Some(&list[1])
    );
    assert_eq!(selected(&list, None, Some(&pref("b", ""))), Some(&list[1]));
    assert_eq!(selected(&list, Some("gone"), None), Some(&list[0]));
}

#[test]
fn a_device_still_present_is_kept() {
    let list = [cam("a", "Front"), cam("b", "Back")];
    assert_eq!(after_change(&list, Some("b"), None), Change::Kept);
    assert_eq!(after_change(&list, None, None), Change::Kept);
}

#[test]
fn a_vanished_device_falls_back_to_the_default_with_a_notice() {
    let list = [cam("a", "Front")];
    let change = after_change(&list, Some("usb"), Some(&pref("usb", "USB cam")));
    assert_eq!(
        change,
        Change::FellBack {
            to: cam("a", "Front")
        }
    );
    assert_eq!(
        change_notice(DeviceKind::Camera, &change).as_deref(),
        Some("Your camera was disconnected; using Front")
    );
}

#[test]
fn a_vanished_device_falls_back_to_a_preferred_one_still_present() {
    // In use: a headset opened by id; the stored choice is another mic still plugged in.
    let mics = [
        Device {
            kind: DeviceKind::Mic,
            id: "default".into(),
            label: "Default".into(),
        },
        Device {
            kind: DeviceKind::Mic,
            id: "desk".into(),
            label: "Desk mic".into(),
        },
    ];
    let change = after_change(&mics, Some("headset"), Some(&pref("desk", "Desk mic")));
    assert_eq!(
        change,
        Change::FellBack {
            to: mics[1].clone()
        }
    );
    assert_eq!(
        change_notice(DeviceKind::Mic, &change).as_deref(),
        Some("Your microphone was disconnected; using Desk mic")
    );
}

#[test]
fn nothing_left_is_said_plainly() {
    let change = after_change(&[], Some("a"), None);
    assert_eq!(change, Change::NoneLeft);
    assert_eq!(
        change_notice(DeviceKind::Camera, &change).as_deref(),
        Some("Your camera was disconnected; no other camera found")
    );
    assert_eq!(change_notice(DeviceKind::Camera, &Change::Kept), None);
}

#[test]
fn hidden_labels_get_a_numbered_name() {
    assert_eq!(cam("a", "").display_name(1), "Camera 2");
    assert_eq!(cam("a", "Front").display_name(1), "Front");
}

#[test]
fn kinds_map_to_the_browser_and_the_page() {
    for kind in DeviceKind::ALL {
        assert_eq!(
            DeviceKind::from_browser_kind(kind.browser_kind()),
            Some(kind)
        );
    }
    assert_eq!(DeviceKind::from_browser_kind("other"), None);
    assert_eq!(DeviceKind::Speaker.testid(), "device-speaker");
}
