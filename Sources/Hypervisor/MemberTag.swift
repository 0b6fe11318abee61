/// The operator's tag that makes a VM psm did not create a member of a group
/// (`members = "tag:web"` in `[[actuator.groups]]`; docs/configuration.md).
///
/// It lives in the domain's `<metadata>` as one element in `MemberTag.namespace` whose `tag`
/// attribute is the tag, e.g.
///
/// ```xml
/// <metadata>
///   <member:member xmlns:member="https://psm.example/member/1" tag="web"/>
/// </metadata>
/// ```
///
/// or, on a defined domain, `virsh metadata DOMAIN https://psm.example/member/1 --key member
/// --set "<member tag='web'/>" --config --live`. It is separate from psm's own shadow element
/// (`ShadowMetadata.namespace`), which psm writes and operators never need to touch.
package enum MemberTag {
    /// The XML namespace of the member element (version 1 of its layout).
    package static let namespace = "https://psm.example/member/1"
}
