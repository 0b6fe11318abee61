/// The page's inline style sheet: system fonts only, print-friendly, translucent bands so that
/// nested intervals darken towards the median.
enum ReportStyle {
    static let css = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d2433;margin:24px auto;max-width:1200px;padding:0 16px;background:#fff}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:19px;border-bottom:2px solid #d8dde6;padding-bottom:4px;margin-top:32px}
        h3{font-size:15px;margin:22px 0 8px;color:#37425a}
        .meta{color:#5b6578;margin:2px 0}.empty{color:#5b6578;font-style:italic}
        .selection{background:#eef6ee;border-left:4px solid #3c8d40;padding:6px 10px}
        .notes{background:#fff6e0;border-left:4px solid #d9a400;padding:6px 10px 6px 28px;margin:8px 0}
        nav ul{padding-left:18px;margin:6px 0}a{color:#1f5fbf}
        table{border-collapse:collapse;margin:4px 0 8px;font-size:13px}
        th,td{padding:3px 8px;border-bottom:1px solid #e3e7ee;text-align:left;vertical-align:top}
        thead th{border-bottom:2px solid #c4cbd8;background:#f5f7fa}
        tbody+tbody{border-top:2px solid #c4cbd8}
        .num{text-align:right;font-variant-numeric:tabular-nums}
        td.best{background:#dff0d8;font-weight:600}
        tr.current td{background:#eef3fd}
        .badge{font-size:11px;background:#e6e9ef;border-radius:3px;padding:0 4px;color:#37425a}
        .badge.selected{background:#3c8d40;color:#fff}
        .charts{display:flex;flex-wrap:wrap;gap:10px}
        figure{margin:0;border:1px solid #e3e7ee;border-radius:4px;padding:4px;background:#fff}
        figure.diagnostics{display:flex;flex-wrap:wrap;align-items:flex-start}
        figcaption{width:100%;font-weight:600;padding:2px 4px}
        svg{display:block;font-family:inherit}
        svg .grid{stroke:#eceff4;stroke-width:1}svg .axis{stroke:#8a93a6;stroke-width:1}
        svg .origin{stroke:#8a93a6;stroke-dasharray:3 3}
        svg .tick{font-size:10px;fill:#5b6578}svg .chart-title{font-size:12px;font-weight:600;fill:#1d2433}
        svg .band{fill:#2f6fd6;stroke:none}svg .band0{fill-opacity:.14}svg .band1{fill-opacity:.18}svg .band2{fill-opacity:.24}svg .band3{fill-opacity:.30}
        svg .history{fill:none;stroke:#4a5263;stroke-width:1.4}
        svg .median{fill:none;stroke:#1c4fa8;stroke-width:2}
        svg .actual{fill:none;stroke:#d2452b;stroke-width:1.6}svg .actual-dot{fill:#d2452b}
        svg .dot{fill:#4a5263}
        svg .bar{fill:#7da4e3}svg .reference{stroke:#d2452b;stroke-width:1.5;stroke-dasharray:5 3;fill:none}
        svg .observed{fill:none;stroke:#1c4fa8;stroke-width:1.8}svg .observed-dot{fill:#1c4fa8}
        .legend{font-size:12px;color:#5b6578}.key{display:inline-block;width:18px;height:3px;vertical-align:middle;margin:0 4px 0 12px}
        .key.history{background:#4a5263}.key.actual{background:#d2452b}.key.median{background:#1c4fa8}.key.band{height:10px;background:rgba(47,111,214,.35)}
        code{font-size:12px}
        """
}
