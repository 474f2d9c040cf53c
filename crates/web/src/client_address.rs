//! Where a request comes from, for the per-address sign-in limit.
//!
//! The TCP peer is the client's address unless a reverse proxy stands in front: then every
//! request comes from the proxy, and the client's address is in the `X-Forwarded-For` header
//! the proxy appends. Anyone can send that header, so it is believed only when the operator
//! says the server is behind a proxy ([`ClientAddresses::ForwardedByProxy`]); otherwise a
//! guesser would name a fresh address on every request and never be limited.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// How the server learns a client's address.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ClientAddresses {
    /// The connection's peer: right when clients connect to Kindred directly.
    #[default]
    Peer,
    /// The last address in `X-Forwarded-For`: the one the single reverse proxy in front of
    /// Kindred appended for the client it saw (earlier entries come from the client and prove
    /// nothing). Without the header, the peer.
    ForwardedByProxy,
}

/// The client's address, as [`ClientAddresses`] says to read it.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        if state.client_addresses == ClientAddresses::ForwardedByProxy
            && let Some(forwarded) = last_forwarded(&parts.headers)
        {
            return Ok(Self(forwarded));
        }
        match parts.extensions.get::<ConnectInfo<SocketAddr>>() {
            Some(ConnectInfo(peer)) => Ok(Self(peer.ip())),
            None => {
                // Only an embedding that bypasses `serve` gets here; failing closed keeps a
                // sign-in from going unlimited.
                tracing::error!("no peer address: serve the router with connect info");
                Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
            }
        }
    }
}

/// The last entry of the last `X-Forwarded-For` header, if it is an address (some proxies
/// add the port).
fn last_forwarded(headers: &HeaderMap) -> Option<IpAddr> {
    let last = headers.get_all("x-forwarded-for").iter().next_back()?.to_str().ok()?;
    let entry = last.rsplit(',').next()?.trim();
    entry.parse::<IpAddr>().ok().or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn forwarded(values: &[&str]) -> Option<IpAddr> {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        }
        last_forwarded(&headers)
    }

    #[test]
    fn the_proxy_appended_entry_is_the_last_one() {
        assert_eq!(forwarded(&["198.51.100.1, 203.0.113.9"]), "203.0.113.9".parse().ok());
        assert_eq!(forwarded(&["198.51.100.1", "203.0.113.9"]), "203.0.113.9".parse().ok());
        assert_eq!(forwarded(&["2001:db8::7"]), "2001:db8::7".parse().ok());
        assert_eq!(forwarded(&["203.0.113.9:4711"]), "203.0.113.9".parse().ok());
        assert_eq!(forwarded(&["[2001:db8::7]:4711"]), "2001:db8::7".parse().ok());
        assert_eq!(forwarded(&["203.0.113.9, unknown"]), None);
        assert_eq!(forwarded(&[]), None);
    }
}
