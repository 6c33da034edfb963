/* One ECharts chart: <Chart :option="…" label="…" />, resized with the window, disposed on leave.
 * Chinese labels need a CJK font: the text style names Noto Sans CJK (Debian's fonts-noto-cjk) first. */
import { echarts, h, onBeforeUnmount, onMounted, ref, watch } from "./vue.js";

export const CJK_FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif';
export const COLORS = ["#c8102e", "#e6a23c", "#409eff", "#67c23a", "#909399", "#8e44ad", "#16a085"];

export const Chart = {
  props: { option: { type: Object, required: true }, label: { type: String, default: "" }, height: { type: Number, default: 320 } },
  setup(props) {
    const el = ref(null);
    let chart = null;
    const resize = () => chart && chart.resize();
    function draw() {
      if (!chart) return;
      chart.setOption({ color: COLORS, textStyle: { fontFamily: CJK_FONT }, animation: false, ...props.option }, true);
    }
    onMounted(() => {
      chart = echarts.init(el.value, null, { renderer: "canvas" });
      draw();
      window.addEventListener("resize", resize);
    });
    watch(() => props.option, draw, { deep: true });
    onBeforeUnmount(() => {
      window.removeEventListener("resize", resize);
      if (chart) chart.dispose();
    });
    return () => h("div", { ref: el, class: "chart", role: "img", "aria-label": props.label,
      style: { height: props.height + "px" } });
  },
};
