//! The plain-HTTP listener's only answer: `301 Moved Permanently` to the same host and path
//! over HTTPS, on the HTTPS listener's port.

use axum::body::Body;
use axum::http::header::{HOST, LOCATION};
use axum::http::uri::Authority;
use axum::http::{HeaderValue, Request, Response, StatusCode};

/// The redirect for `request`; 400 when it names no usable host.
pub fn to_https<B>(request: &Request<B>, https_port: u16) -> Response<Body> {
    match location(request, https_port).and_then(|l| HeaderValue::from_str(&l).ok()) {
        Some(location) => {
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::MOVED_PERMANENTLY;
            response.headers_mut().insert(LOCATION, location);
            response
        }
        None => {
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::BAD_REQUEST;
            response
        }
    }
}

/// `https://host[:port]/path?query`, the host from `Host` (or an absolute request URI), its
/// port replaced by the HTTPS one (left out when it is 443).
pub fn location<B>(request: &Request<B>, https_port: u16) -> Option<String> {
    let authority = match request.headers().get(HOST) {
        Some(host) => host.to_str().ok()?.parse::<Authority>().ok()?,
        None => request.uri().authority()?.clone(),
    };
    let host = authority.host();
    if host.is_empty() {
        return None;
    }
    let port = if https_port == 443 {
        String::new()
    } else {
        format!(":{https_port}")
    };
    let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
    Some(format!("https://{host}{port}{path}"))
}
