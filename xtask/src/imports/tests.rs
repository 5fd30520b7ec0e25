//! Tests of the import renaming: a hand-made module and glue, renamed and checked byte for byte.

use super::*;

/// A module with a type section, two function imports and a custom section.
fn module(names: [&str; 2]) -> Vec<u8> {
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    wasm.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]);
    let mut imports = vec![2];
    for name in names {
        push_name(&mut imports, "./client_bg.js");
        push_name(&mut imports, name);
        imports.extend_from_slice(&[0x00, 0x00]);
    }
    wasm.push(2);
    push_leb(&mut wasm, imports.len() as u64);
    wasm.extend_from_slice(&imports);
    wasm.extend_from_slice(&[0, 4, 1, b'x', 7, 7]);
    wasm
}

const OLD: [&str; 2] = ["__wbg_now_0123456789abcdef", "__wbg_log_fedcba9876543210"];

#[test]
fn imports_get_short_names_and_the_rest_stays() -> Result<(), String> {
    let (wasm, renames) = rename_imports(&module(OLD))?;
    assert_eq!(wasm, module(["a", "b"]));
    assert_eq!(
        renames,
        vec![
            (OLD[0].to_owned(), "a".to_owned()),
            (OLD[1].to_owned(), "b".to_owned())
        ]
    );
    Ok(())
}

#[test]
fn glue_keys_are_renamed_and_nothing_else() -> Result<(), String> {
    let renames = vec![
        (OLD[0].to_owned(), "a".to_owned()),
        (OLD[1].to_owned(), "b".to_owned()),
    ];
    let js = "{__proto__:null,__wbg_now_0123456789abcdef:function(){return Date.now()},\n\
              __wbg_log_fedcba9876543210 : function(a){console.log(a)}}";
    assert_eq!(
        rename_keys(js, &renames)?,
        "{__proto__:null,a:function(){return Date.now()},\nb : function(a){console.log(a)}}"
    );
    // Used elsewhere, or missing: the build stops.
    let twice = format!("{js};{}()", OLD[0]);
    assert!(rename_keys(&twice, &renames).is_err());
    assert!(rename_keys("{__wbg_now_0123456789abcdef:1}", &renames).is_err());
    Ok(())
}

#[test]
fn short_names_are_distinct_identifiers() {
    let names: Vec<String> = (0..5000).map(short_name).collect();
    assert_eq!(names[0], "a");
    assert_eq!(names[51], "Z");
    assert_eq!(names[52].len(), 2);
    let unique: std::collections::HashSet<&String> = names.iter().collect();
    assert_eq!(unique.len(), names.len());
    assert!(
        names
            .iter()
            .all(|n| n.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
    );
}

#[test]
fn a_cut_module_is_an_error() {
    let wasm = module(OLD);
    assert!(rename_imports(&wasm[..wasm.len() - 20]).is_err());
    assert!(rename_imports(b"not wasm").is_err());
}
