//! Choosing cameras, microphones and speakers, as pure decisions (no web-sys, host-tested):
//! which device of a list a stored preference names, how a preference is kept in
//! `localStorage`, and what to do when `devicechange` takes away the device in use.
//!
//! A preference keeps the device's id and its label: ids can change (Chromium renews them when
//! the site's data is cleared, and they differ per profile), labels survive that, so a stored
//! choice whose id is gone is matched by label. The browser side (enumerating, opening,
//! `replaceTrack`, `setSinkId`) is `driver::devices` and `driver::switch`.

#[cfg(test)]
mod tests;

/// The three things a person picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceKind {
    Camera,
    Mic,
    Speaker,
}

impl DeviceKind {
    pub const ALL: [DeviceKind; 3] = [DeviceKind::Camera, DeviceKind::Mic, DeviceKind::Speaker];

    /// `MediaDeviceInfo.kind` of this kind.
    pub fn browser_kind(self) -> &'static str {
        match self {
            DeviceKind::Camera => "videoinput",
            DeviceKind::Mic => "audioinput",
            DeviceKind::Speaker => "audiooutput",
        }
    }

    pub fn from_browser_kind(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.browser_kind() == kind)
    }

    /// The `localStorage` key of the stored choice.
    pub fn storage_key(self) -> &'static str {
        match self {
            DeviceKind::Camera => "parley.device.camera",
            DeviceKind::Mic => "parley.device.mic",
            DeviceKind::Speaker => "parley.device.speaker",
        }
    }

    /// The word in sentences ("Your camera was disconnected").
    pub fn noun(self) -> &'static str {
        match self {
            DeviceKind::Camera => "camera",
            DeviceKind::Mic => "microphone",
            DeviceKind::Speaker => "speaker",
        }
    }

    /// The picker's `data-testid`.
    pub fn testid(self) -> &'static str {
        match self {
            DeviceKind::Camera => "device-camera",
            DeviceKind::Mic => "device-mic",
            DeviceKind::Speaker => "device-speaker",
        }
    }
}

/// One entry of `enumerateDevices()`. `label` is empty until the page was allowed the camera
/// or microphone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub kind: DeviceKind,
    pub id: String,
    pub label: String,
}

impl Device {
    /// What the picker shows: the label, or "Camera 2" while the browser hides labels.
    pub fn display_name(&self, index: usize) -> String {
        if self.label.trim().is_empty() {
            let title = match self.kind {
                DeviceKind::Camera => "Camera",
                DeviceKind::Mic => "Microphone",
                DeviceKind::Speaker => "Speaker",
            };
            format!("{title} {}", index + 1)
        } else {
            self.label.clone()
        }
    }
}

/// A remembered choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preference {
    pub id: String,
    pub label: String,
}

impl Preference {
    pub fn of(device: &Device) -> Self {
        Self {
            id: device.id.clone(),
            label: device.label.clone(),
        }
    }

    /// The stored form: the id, a newline, the label (ids never hold a newline).
    pub fn to_stored(&self) -> String {
        format!("{}\n{}", self.id, self.label)
    }

    /// Reads [`Preference::to_stored`]; anything else (an old or hand-edited value) is no
    /// preference.
    pub fn from_stored(stored: &str) -> Option<Self> {
        let (id, label) = stored.split_once('\n')?;
        (!id.is_empty()).then(|| Self {
            id: id.to_owned(),
            label: label.to_owned(),
        })
    }
}

/// The devices of one kind in `all`, in the browser's order.
pub fn of_kind(all: &[Device], kind: DeviceKind) -> Vec<Device> {
    all.iter().filter(|d| d.kind == kind).cloned().collect()
}

/// The device `pref` names in `devices`: by id, else by (non-empty) label; `None` when it is
/// not there (then the browser's default is used).
pub fn preferred<'a>(devices: &'a [Device], pref: Option<&Preference>) -> Option<&'a Device> {
    let pref = pref?;
    devices.iter().find(|d| d.id == pref.id).or_else(|| {
        (!pref.label.is_empty())
            .then(|| devices.iter().find(|d| d.label == pref.label))
            .flatten()
    })
}

/// The browser's default of a list: the entry with id `default` (Chromium's alias for the
/// system's choice), else the first.
pub fn default_device(devices: &[Device]) -> Option<&Device> {
    devices
        .iter()
        .find(|d| d.id == "default")
        .or_else(|| devices.first())
}

/// The device a picker shows as chosen: the one in use, else the preferred one, else the
/// default.
pub fn selected<'a>(
    devices: &'a [Device],
    in_use: Option<&str>,
    pref: Option<&Preference>,
) -> Option<&'a Device> {
    in_use
        .and_then(|id| devices.iter().find(|d| d.id == id))
        .or_else(|| preferred(devices, pref))
        .or_else(|| default_device(devices))
}

/// What a new device list means for the device in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Still there (or nothing was in use): nothing to do.
    Kept,
    /// It is gone: switch to `to` and tell the person.
    FellBack { to: Device },
    /// It is gone and no device of its kind is left.
    NoneLeft,
}

/// The decision after `devicechange`: `in_use` is the id the live track reports
/// (`getSettings().deviceId`), `devices` the new list of its kind. A device that vanished is
/// replaced by the preferred one if that is still there, else by the default.
pub fn after_change(devices: &[Device], in_use: Option<&str>, pref: Option<&Preference>) -> Change {
    let Some(in_use) = in_use else {
        return Change::Kept;
    };
    if devices.iter().any(|d| d.id == in_use) {
        return Change::Kept;
    }
    match preferred(devices, pref)
        .filter(|d| d.id != in_use)
        .or_else(|| default_device(devices))
    {
        Some(to) => Change::FellBack { to: to.clone() },
        None => Change::NoneLeft,
    }
}

/// The notice for [`Change`]: "Your camera was disconnected; using FaceTime HD".
pub fn change_notice(kind: DeviceKind, change: &Change) -> Option<String> {
    let noun = kind.noun();
    match change {
        Change::Kept => None,
        Change::FellBack { to } => Some(format!(
            "Your {noun} was disconnected; using {}",
            to.display_name(0)
        )),
        Change::NoneLeft => Some(format!(
            "Your {noun} was disconnected; no other {noun} found"
        )),
    }
}
