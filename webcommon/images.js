/* Photos made small in the browser before they are uploaded: a phone or camera photo of several MB
 * goes through a village network (and under the server's size cap) as a JPEG of at most
 * `longestSide` pixels a side. Anything that is not an image, or cannot be decoded here, goes as it
 * is: the server checks every file by its content and says what it accepts. */

export async function shrinkPhoto(file, { longestSide = 1600, keepBelow = 1024 * 1024 } = {}) {
  if (!file || !file.type || !file.type.startsWith("image/")) return file;
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, longestSide / Math.max(bitmap.width, bitmap.height));
    if (scale === 1 && file.size < keepBelow) return file;
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
    return blob ? new File([blob], "photo.jpg", { type: "image/jpeg" }) : file;
  } catch (error) {
    return file;
  }
}
