# What eval-module.nix and eval-flake.nix share: the stub lib and package sets, a small
# stand-in for the NixOS module system (enough for one module and its settings), and a
# schema of the NixOS options the project's Nix files may set, so a misspelt NixOS option
# (`wantedby`, `serviceConfig.Restrat`) fails the check as it would fail a real build.
{ root }:

let
  b = builtins;
  lib = import ./stub-lib.nix;
  pkgsFor = system: import ./stub-pkgs.nix { inherit lib system; };
  pkgs = pkgsFor "x86_64-linux";

  inherit (lib)
    attrNames
    concatMap
    concatStringsSep
    elem
    filter
    filterAttrs
    isAttrs
    isDerivation
    isList
    mapAttrs
    ;

  absent = {
    _type = "absent";
  };
  isAbsent = v: isAttrs v && (v._type or null) == "absent";

  # Definitions with mkIf/mkMerge/mkOverride pushed out: the value the module system would
  # compute from this module alone. Conflicting plain definitions are an error, as in NixOS.
  resolve =
    v:
    if isAttrs v && !isDerivation v then
      let
        tag = v._type or null;
      in
      if tag == "if" then
        (if v.condition then resolve v.content else absent)
      else if tag == "merge" then
        b.foldl' merge { } (filter (x: !isAbsent x) (map resolve v.contents))
      else if tag == "override" then
        resolve v.content
      else if tag != null then
        v
      else
        filterAttrs (_: x: !isAbsent x) (mapAttrs (_: resolve) v)
    else if isList v then
      filter (x: !isAbsent x) (map resolve v)
    else
      v;

  merge =
    l: r:
    if isAttrs l && isAttrs r && !isDerivation l && !isDerivation r then
      l // r // mapAttrs (n: _: merge l.${n} r.${n}) (b.intersectAttrs l r)
    else if isList l && isList r then
      l ++ r
    else if l == r then
      l
    else
      throw "conflicting definitions: ${b.toJSON l} and ${b.toJSON r}";

  # The NixOS options this project sets, as nested attribute sets: `true` accepts any
  # value, "*" any attribute name. Extend it when a module starts using another option.
  any = true;
  keys = names: lib.genAttrs names (_: any);
  serviceDirectives = keys [
    "ExecStart"
    "User"
    "Group"
    "WorkingDirectory"
    "Restart"
    "RestartSec"
    "KillMode"
    "PrivateTmp"
    "StateDirectory"
    "StateDirectoryMode"
    "LoadCredential"
    "NoNewPrivileges"
    "RestrictSUIDSGID"
    "CapabilityBoundingSet"
    "LockPersonality"
    "RestrictRealtime"
    "SystemCallArchitectures"
    "ProtectKernelModules"
    "ProtectControlGroups"
    "ProtectHostname"
    "ProtectSystem"
    "ProtectHome"
    "Type"
    "TimeoutStopSec"
    "UMask"
  ];
  nixosSchema = {
    imports = any;
    assertions = any;
    warnings = any;
    users = {
      users."*" = keys [
        "isSystemUser"
        "isNormalUser"
        "group"
        "home"
        "createHome"
        "description"
        "extraGroups"
        "shell"
        "uid"
      ];
      groups."*" = keys [
        "gid"
        "members"
      ];
    };
    systemd = {
      tmpfiles.rules = any;
      services."*" = (keys [
        "description"
        "wantedBy"
        "after"
        "wants"
        "requires"
        "path"
        "environment"
        "restartTriggers"
      ]) // {
        serviceConfig = serviceDirectives;
      };
    };
    security.sudo.extraRules = any;
    networking.firewall.allowedTCPPorts = any;
    environment = {
      systemPackages = any;
      etc."*" = keys [
        "text"
        "source"
        "mode"
        "user"
        "group"
      ];
    };
    virtualisation.memorySize = any;
    services.claude-sandbox-manager = any;
  };

  # Paths (as strings) where `value` leaves the schema.
  schemaErrors =
    let
      walk =
        prefix: schema: value:
        if schema == true then
          [ ]
        else if !isAttrs value || isDerivation value then
          [ "${prefix}: expected an attribute set" ]
        else
          concatMap (
            name:
            let
              sub = schema.${name} or schema."*" or null;
            in
            if sub == null then [ "${prefix}${name}: not a known option" ] else walk "${prefix}${name}." sub value.${name}
          ) (attrNames value);
    in
    walk "" nixosSchema;

  renderValue = v: if isDerivation v then "<derivation ${v.pname or v.name}>" else v;

  modulePath = root + "/nix/module.nix";

  # Evaluates nix/module.nix with `settings` for services.claude-sandbox-manager.
  evalModule =
    settings:
    let
      module = import modulePath {
        inherit lib pkgs config;
      };
      declarations = module.options.services.claude-sandbox-manager;
      config.services.claude-sandbox-manager = mapAttrs (_: o: o.default) declarations // settings;
      cfg = config.services.claude-sandbox-manager;
      unknownOptions = filter (n: !(declarations ? ${n})) (attrNames settings);
      typeErrors = concatMap (
        n:
        if declarations.${n}.type.check settings.${n} then
          [ ]
        else
          [ "${n}: ${b.toJSON (renderValue settings.${n})} is not a ${declarations.${n}.type.render}" ]
      ) (filter (n: declarations ? ${n}) (attrNames settings));
      # Evaluating the config with unknown or mistyped settings would only give noise.
      resolved =
        let
          r = resolve (module.config or { });
        in
        if unknownOptions != [ ] || typeErrors != [ ] || isAbsent r then { } else r;
    in
    {
      inherit module declarations unknownOptions typeErrors;
      moduleKeys = attrNames module;
      optionRoots = attrNames module.options;
      config = resolved;
      schemaErrors = schemaErrors resolved;
      failedAssertions = map (a: a.message) (filter (a: !a.assertion) (resolved.assertions or [ ]));
      warnings = resolved.warnings or [ ];
    };

  # One scenario as JSON-able data.
  summarizeScenario =
    settings:
    let
      r = evalModule settings;
    in
    {
      inherit (r)
        unknownOptions
        typeErrors
        schemaErrors
        failedAssertions
        warnings
        ;
      config = removeAttrs r.config [
        "assertions"
        "warnings"
      ];
    };

  # The declarations as JSON-able data, and what is wrong with them.
  summarizeOptions =
    let
      r = evalModule { };
      decls = r.declarations;
      problems = concatMap (
        n:
        let
          o = decls.${n};
        in
        lib.optional ((o._type or null) != "option") "${n}: not made with mkOption"
        ++ lib.optional (!(o ? type)) "${n}: no type"
        ++ lib.optional (!(lib.isString (o.description or null)) || o.description == "") "${n}: no description"
        ++ lib.optional (!(o ? default)) "${n}: no default"
        ++ lib.optional (o ? type && o ? default && !(o.type.check o.default)) "${n}: default ${b.toJSON (renderValue o.default)} is not a ${o.type.render}"
        ++ lib.optional (
          o ? default && isDerivation o.default && !(o ? defaultText)
        ) "${n}: a package default needs defaultText"
      ) (attrNames decls);
    in
    {
      moduleKeys = r.moduleKeys;
      optionRoots = r.optionRoots;
      serviceRoots = attrNames r.module.options.services;
      inherit problems;
      options = mapAttrs (_: o: {
        type = o.type.render;
        default = renderValue o.default;
      }) decls;
    };
in
{
  inherit
    lib
    pkgs
    pkgsFor
    resolve
    schemaErrors
    evalModule
    summarizeScenario
    summarizeOptions
    renderValue
    ;
}
