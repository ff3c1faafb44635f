use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

/// The TCP peer address, inserted per connection by the server loop.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub SocketAddr);

/// The client's IP for throttling and the audit log. Behind a trusted proxy
/// the rightmost `X-Forwarded-For` entry is the one that proxy appended;
/// entries left of it are whatever the client chose to send.
pub fn client_ip(
    peer: Option<ClientAddr>,
    headers: &HeaderMap,
    trust_forwarded_for: bool,
) -> Option<IpAddr> {
    if trust_forwarded_for {
        let rightmost = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back();
        // Only the rightmost entry counts: if it is garbage, fall back to the
        // peer rather than trusting an entry the client wrote.
        if let Some(ip) = rightmost.and_then(|entry| entry.trim().parse::<IpAddr>().ok()) {
            return Some(ip);
        }
    }
    peer.map(|p| p.0.ip())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    #[test]
    fn forwarded_for_is_ignored_unless_trusted() {
        let peer = Some(ClientAddr("10.0.0.2:5000".parse().unwrap()));
        assert_eq!(
            client_ip(peer, &headers("1.2.3.4"), false),
            Some("10.0.0.2".parse().unwrap())
        );
    }

    #[test]
    fn the_rightmost_forwarded_entry_wins_when_trusted() {
        let peer = Some(ClientAddr("10.0.0.2:5000".parse().unwrap()));
        let ip = client_ip(peer, &headers("6.6.6.6, 203.0.113.9"), true);
        assert_eq!(ip, Some("203.0.113.9".parse().unwrap()));
    }
}
