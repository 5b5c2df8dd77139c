# A stand-in for nixpkgs' `lib`, big enough to evaluate nix/*.nix and flake.nix offline
# (there is no nixpkgs on CI machines; see check.sh). Each function behaves like its
# nixpkgs namesake on the inputs used here. Anything the project's Nix files use that is
# missing here fails the check: add it, with nixpkgs' meaning, rather than work around it.
#
# Module-system pieces are data: mkOption returns its arguments tagged `option`, mkIf,
# mkMerge and mkOverride return tagged wrappers that harness.nix resolves, and an option
# type carries a `render`ed name and a `check` predicate that harness.nix applies to
# defaults and settings.
let
  b = builtins;

  lib = rec {
    # --- trivial, lists, strings -------------------------------------------------------
    id = x: x;
    const = x: _: x;
    inherit (b)
      all
      any
      attrNames
      attrValues
      concatMap
      concatStringsSep
      elem
      elemAt
      filter
      foldl'
      genList
      hasAttr
      head
      isAttrs
      isBool
      isFunction
      isInt
      isList
      isPath
      isString
      length
      listToAttrs
      mapAttrs
      match
      replaceStrings
      split
      stringLength
      substring
      tail
      ;
    toString = b.toString;

    optional = cond: x: if cond then [ x ] else [ ];
    optionals = cond: xs: if cond then xs else [ ];
    optionalAttrs = cond: set: if cond then set else { };
    optionalString = cond: s: if cond then s else "";

    last =
      list:
      if list == [ ] then throw "lib.last: list must not be empty!" else elemAt list (length list - 1);
    take = n: list: genList (elemAt list) (if n < length list then n else length list);
    unique = foldl' (acc: x: if elem x acc then acc else acc ++ [ x ]) [ ];
    sort = b.sort;

    concatMapStringsSep =
      sep: f: list:
      concatStringsSep sep (map f list);
    concatStrings = concatStringsSep "";
    hasPrefix = pre: s: substring 0 (stringLength pre) s == pre;
    hasSuffix =
      suf: s:
      let
        ls = stringLength s;
        lsuf = stringLength suf;
      in
      ls >= lsuf && substring (ls - lsuf) lsuf s == suf;
    removePrefix =
      pre: s: if hasPrefix pre s then substring (stringLength pre) (stringLength s - stringLength pre) s else s;
    escapeRegex =
      let
        special = [ "\\" "[" "{" "(" ")" "^" "$" "?" "*" "+" "|" "." ];
      in
      replaceStrings special (map (c: "\\" + c) special);
    splitString = sep: s: filter isString (split (escapeRegex sep) s);
    toInt =
      s:
      if isString s && match "[0-9]+" s != null && match "0[0-9]+" s == null then
        b.fromJSON s
      else
        throw "lib.toInt: could not convert ${b.toJSON s} to int.";
    escapeShellArg = s: "'${replaceStrings [ "'" ] [ "'\\''" ] (b.toString s)}'";
    escapeShellArgs = concatMapStringsSep " " escapeShellArg;

    # --- attribute sets ----------------------------------------------------------------
    filterAttrs =
      pred: set:
      listToAttrs (
        concatMap (
          name:
          if pred name set.${name} then
            [
              {
                inherit name;
                value = set.${name};
              }
            ]
          else
            [ ]
        ) (attrNames set)
      );
    genAttrs =
      names: f:
      listToAttrs (
        map (name: {
          inherit name;
          value = f name;
        }) names
      );
    mapAttrsToList = f: set: map (name: f name set.${name}) (attrNames set);
    recursiveUpdate =
      lhs: rhs:
      lhs
      // mapAttrs (
        name: r: if isAttrs r && isAttrs (lhs.${name} or null) then recursiveUpdate lhs.${name} r else r
      ) rhs;

    # --- derivations and sources -------------------------------------------------------
    isDerivation = x: isAttrs x && (x.type or null) == "derivation";
    isStringLike = x: isString x || isPath x || (isAttrs x && (x ? outPath || x ? __toString));
    getOutput =
      output: pkg: if isAttrs pkg then pkg.${output} or pkg.out or pkg else pkg;
    getBin = getOutput "bin";
    makeBinPath = pkgs: concatMapStringsSep ":" (p: "${getBin p}/bin") pkgs;
    getExe' = pkg: name: "${getBin pkg}/bin/${name}";
    getExe =
      pkg:
      if pkg ? meta.mainProgram then
        getExe' pkg pkg.meta.mainProgram
      else
        throw "lib.getExe: ${pkg.name or "package"} has no meta.mainProgram";

    # A source is kept as data so harness.nix can ask the filter about sample paths.
    cleanSourceWith =
      {
        src,
        filter ? _: _: true,
        name ? null,
      }:
      let
        inner = if isAttrs src && (src._type or null) == "stubSource" then src else null;
      in
      {
        _type = "stubSource";
        origSrc = if inner != null then inner.origSrc else src;
        filter =
          path: type: filter path type && (if inner != null then inner.filter path type else true);
        outPath = b.toString (if inner != null then inner.origSrc else src);
      };
    cleanSource =
      src:
      cleanSourceWith {
        inherit src;
        filter =
          path: type:
          !(elem (baseNameOf path) [
            ".git"
            ".svn"
          ])
          && !(hasSuffix ".o" (baseNameOf path))
          && !(hasPrefix "result" (baseNameOf path));
      };

    cmakeBool = name: value: "-D${name}:BOOL=${if value then "TRUE" else "FALSE"}";
    cmakeFeature = name: value: "-D${name}:STRING=${value}";

    licenses.mit = {
      spdxId = "MIT";
      shortName = "mit";
    };
    platforms.linux = [
      "aarch64-linux"
      "armv7l-linux"
      "i686-linux"
      "riscv64-linux"
      "x86_64-linux"
    ];

    # --- module system -----------------------------------------------------------------
    mkOption =
      args:
      let
        allowed = [
          "default"
          "defaultText"
          "example"
          "description"
          "relatedPackages"
          "type"
          "apply"
          "internal"
          "visible"
          "readOnly"
        ];
        unknown = filter (n: !(elem n allowed)) (attrNames args);
      in
      if unknown != [ ] then
        throw "mkOption: unknown argument(s) ${concatStringsSep ", " unknown}"
      else
        args // { _type = "option"; };

    mkEnableOption =
      name:
      mkOption {
        type = types.bool;
        default = false;
        example = true;
        description = "Whether to enable ${name}.";
      };

    mkIf =
      condition: content:
      if !isBool condition then
        throw "mkIf called with a non-Boolean condition"
      else
        {
          _type = "if";
          inherit condition content;
        };
    mkMerge = contents: {
      _type = "merge";
      inherit contents;
    };
    mkOverride = priority: content: {
      _type = "override";
      inherit priority content;
    };
    mkDefault = mkOverride 1000;
    mkForce = mkOverride 50;

    literalExpression = text: {
      _type = "literalExpression";
      inherit text;
    };
    literalMD = text: {
      _type = "literalMD";
      inherit text;
    };

    mkOptionType =
      {
        name,
        description ? name,
        check ? _: true,
        ...
      }:
      {
        _type = "option-type";
        inherit name description check;
        render = name;
      };

    types =
      let
        mk =
          name: check: extra:
          {
            _type = "option-type";
            inherit name check;
            render = name;
          }
          // extra;
        wrap =
          name: inner: check:
          mk name check {
            render = "${name}(${inner.render})";
            nestedTypes.elemType = inner;
          };
      in
      rec {
        inherit mkOptionType;
        str = mk "str" isString { };
        nonEmptyStr = mk "nonEmptyStr" (v: isString v && match "[[:space:]]*" v == null) { };
        lines = mk "lines" isString { };
        bool = mk "bool" isBool { };
        int = mk "int" isInt { };
        port = mk "port" (v: isInt v && v >= 0 && v <= 65535) { };
        path = mk "path" (v: isStringLike v && substring 0 1 (b.toString v) == "/") { };
        package = mk "package" isDerivation { };
        attrs = mk "attrs" isAttrs { };
        anything = mk "anything" (_: true) { };
        listOf = t: wrap "listOf" t (v: isList v && all t.check v);
        nullOr = t: wrap "nullOr" t (v: v == null || t.check v);
        attrsOf = t: wrap "attrsOf" t (v: isAttrs v && all (n: t.check v.${n}) (attrNames v));
        enum =
          values:
          mk "enum" (v: elem v values) {
            render = "enum(${concatMapStringsSep "," b.toJSON values})";
          };
        strMatching =
          regex:
          mk "strMatching" (v: isString v && match regex v != null) {
            render = "strMatching(${regex})";
          };
        either =
          t1: t2:
          mk "either" (v: t1.check v || t2.check v) {
            render = "either(${t1.render},${t2.render})";
          };
        oneOf =
          ts:
          mk "oneOf" (v: any (t: t.check v) ts) {
            render = "oneOf(${concatMapStringsSep "," (t: t.render) ts})";
          };
      };
  };
in
lib
