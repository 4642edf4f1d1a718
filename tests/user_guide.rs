//! `docs/user-guide.md` lists every key the wizard has, exactly as the key
//! table dispatches them: its section between the `keys:begin` and
//! `keys:end` marks is `ui::key_reference::markdown()`.
//!
//! After a change to the key table, run this test with
//! `RAMKEY_BLESS_GUIDE=1` to rewrite that section, and read the diff.

use std::path::Path;

const BEGIN: &str = "<!-- keys:begin (generated from the key table; see tests/user_guide.rs) -->\n";
const END: &str = "<!-- keys:end -->";

#[test]
fn the_guide_lists_every_key_of_the_key_table() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/user-guide.md");
    let guide = std::fs::read_to_string(&path).expect("docs/user-guide.md");
    let start = guide
        .find(BEGIN)
        .expect("the guide has the keys:begin mark")
        + BEGIN.len();
    let end = guide[start..]
        .find(END)
        .expect("the guide has the keys:end mark")
        + start;
    let wanted = format!("\n{}\n", ramkey::ui::key_reference::markdown());
    if guide[start..end] == wanted {
        return;
    }
    if std::env::var_os("RAMKEY_BLESS_GUIDE").is_some() {
        let rewritten = format!("{}{wanted}{}", &guide[..start], &guide[end..]);
        std::fs::write(&path, rewritten).expect("rewrite the guide");
        return;
    }
    panic!(
        "docs/user-guide.md's key list differs from the key table; rerun with \
         RAMKEY_BLESS_GUIDE=1 to rewrite it. The table says:\n{wanted}"
    );
}
