//! Test fixture generator: GV100AD records built to the Destatis layout (220 characters,
//! positions counted in characters). Written for the tests; no official line is copied.
//! Shared by the core tests and the CLI tests (via `#[path]`).

#![allow(dead_code, unreachable_pub)]

/// The Gebietsstand used by the fixtures.
pub const DATE: &str = "20231130";

/// One record: fields at their 1-based positions, blanks elsewhere.
pub fn record(
    satzart: &str,
    date: &str,
    key: &str,
    verband: &str,
    name: &str,
    seat: &str,
    tk: &str,
) -> String {
    let mut chars = vec![' '; 220];
    let mut put = |pos: usize, text: &str| {
        for (i, c) in text.chars().enumerate() {
            chars[pos - 1 + i] = c;
        }
    };
    put(1, satzart);
    put(3, date);
    put(11, key);
    put(19, verband);
    put(23, name);
    put(73, seat);
    put(123, tk);
    if satzart == "60" {
        put(129, "00000012345"); // Fläche ha (made up)
        put(140, "00000067890"); // Bevölkerung (made up)
        put(151, "00000033333");
        put(166, "57000");
    }
    chars.into_iter().collect()
}

/// Satzart 10: a Land.
pub fn land(code: &str, name: &str) -> String {
    record("10", DATE, code, "", name, "Hauptstadt", "")
}

/// Satzart 20: a Regierungsbezirk.
pub fn rb(code: &str, name: &str) -> String {
    record("20", DATE, code, "", name, "Sitz", "")
}

/// Satzart 40: a Kreis-level record (41 kreisfreie Stadt, 43 Kreis, 44 Landkreis).
pub fn kreis(key: &str, name: &str, tk: &str) -> String {
    record("40", DATE, key, "", name, "Kreisstadt", tk)
}

/// Satzart 50: a Gemeindeverband (NRW: each Gemeinde its own, Textkennzeichen 50).
pub fn verband(ags: &str, name: &str) -> String {
    let verband = format!("0{}", &ags[5..8]);
    record("50", DATE, &ags[..5], &verband, name, "", "50")
}

/// Satzart 60: a Gemeinde (61 kreisfreie Stadt, 63 Stadt, 64 kreisangehörige Gemeinde).
pub fn gemeinde(ags: &str, name: &str, tk: &str) -> String {
    let verband = format!("0{}", &ags[5..8]);
    record("60", DATE, ags, &verband, name, "", tk)
}

/// A Gemeinde with its Satzart 50 record, as in the official files.
pub fn gemeinde_with_verband(ags: &str, name: &str, tk: &str) -> Vec<String> {
    vec![verband(ags, name), gemeinde(ags, name, tk)]
}

/// Joins lines with LF or CRLF (with a final line ending) as UTF-8.
pub fn file(lines: &[String], crlf: bool) -> Vec<u8> {
    let eol = if crlf { "\r\n" } else { "\n" };
    lines
        .iter()
        .map(|l| format!("{l}{eol}"))
        .collect::<String>()
        .into_bytes()
}

/// Encodes text as ISO-8859-1 (every char must be below U+0100).
pub fn latin1(text: &[u8]) -> Vec<u8> {
    std::str::from_utf8(text)
        .expect("fixture is UTF-8")
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("fixture char fits ISO-8859-1"))
        .collect()
}

/// A small NRW-like file: Land, two Regierungsbezirke, the kreisfreie Städte Köln and
/// Düsseldorf (each as 40/41 and 60/61), Städteregion Aachen with Aachen and one more
/// Gemeinde, Kreis Olpe with two Gemeinden, plus one Kreis and Gemeinde of Hessen.
/// Land 05 gives 2 kreisfreie Städte, 4 kreisangehörige Gemeinden and 2 Kreise.
pub fn small_nrw() -> Vec<String> {
    let mut v = vec![
        land("05", "Nordrhein-Westfalen"),
        rb("051", "Reg.-Bez. Düsseldorf"),
        kreis("05111", "Düsseldorf, Stadt", "41"),
    ];
    v.extend(gemeinde_with_verband("05111000", "Düsseldorf, Stadt", "61"));
    v.push(rb("053", "Reg.-Bez. Köln"));
    v.push(kreis("05315", "Köln, Stadt", "41"));
    v.extend(gemeinde_with_verband("05315000", "Köln, Stadt", "61"));
    v.push(kreis("05334", "Städteregion Aachen", "43"));
    v.extend(gemeinde_with_verband("05334002", "Aachen, Stadt", "63"));
    v.extend(gemeinde_with_verband("05334012", "Würselen, Stadt", "63"));
    v.push(rb("059", "Reg.-Bez. Arnsberg"));
    v.push(kreis("05966", "Olpe", "43"));
    v.extend(gemeinde_with_verband("05966004", "Finnentrop", "64"));
    v.extend(gemeinde_with_verband("05966020", "Wenden", "64"));
    v.push(land("06", "Hessen"));
    v.push(rb("064", "Reg.-Bez. Darmstadt"));
    v.push(kreis("06431", "Bergstraße", "44"));
    v.push(gemeinde("06431001", "Abtsteinach", "64"));
    v
}
